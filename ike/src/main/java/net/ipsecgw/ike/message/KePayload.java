package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Key Exchange payload (RFC 7296 §3.4): the sender's public value of a key exchange method.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Diffie-Hellman Group Num    |           RESERVED            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                       Key Exchange Data                       ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Whether the data's length suits the group is checked where the group is known, not here.
 *
 * @param group the key exchange method (transform type 4 ID, e.g. 31 for Curve25519)
 * @param data the public value
 */
public record KePayload(int group, byte[] data) implements IkePayload {
    private static final int FIXED = 4;

    public KePayload {
        if (group < 0 || group > 0xffff) {
            throw new IllegalArgumentException("group out of range: " + group);
        }
    }

    static KePayload decode(ByteBuf body) throws DecodeFailure {
        Bytes.need(body, FIXED, "KE payload");
        int group = body.readUnsignedShort();
        body.skipBytes(2);
        return new KePayload(group, Bytes.rest(body));
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeShort(group);
        out.writeShort(0);
        out.writeBytes(data);
    }

    @Override
    public int bodyLength() {
        return FIXED + data.length;
    }

    @Override
    public PayloadType type() {
        return PayloadType.KE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KePayload p && p.group == group && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * group + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "KE[group=" + group + " " + Bytes.hex(data) + "]";
    }
}
