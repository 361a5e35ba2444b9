package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Authentication payload (RFC 7296 §3.8).
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Auth Method   |                RESERVED                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                      Authentication Data                      ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>For {@link AuthMethod#DIGITAL_SIGNATURE} the data starts with the length-prefixed ASN.1
 * AlgorithmIdentifier of RFC 7427 §3; it is kept in {@code data} as it is.
 *
 * @param method the authentication method
 * @param data the authentication data
 */
public record AuthPayload(AuthMethod method, byte[] data) implements IkePayload {
    private static final int FIXED = 4;

    static AuthPayload decode(ByteBuf body) throws DecodeFailure {
        Bytes.need(body, FIXED, "AUTH payload");
        AuthMethod method = AuthMethod.valueOf(body.readUnsignedByte());
        body.skipBytes(3);
        return new AuthPayload(method, Bytes.rest(body));
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeByte(method.value());
        out.writeMedium(0);
        out.writeBytes(data);
    }

    @Override
    public int bodyLength() {
        return FIXED + data.length;
    }

    @Override
    public PayloadType type() {
        return PayloadType.AUTH;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthPayload p && p.method.equals(method) && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return method.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "AUTH[" + method + " " + Bytes.hex(data) + "]";
    }
}
