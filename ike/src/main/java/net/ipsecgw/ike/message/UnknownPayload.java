package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A payload kept as raw bytes: a type this implementation does not know (received without the critical
 * bit, RFC 7296 §2.5), or a known type it does not parse (CP, EAP). Encodes back to the same bytes.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                             Body                              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param type the payload type
 * @param critical the critical bit as received
 * @param body the payload without its generic header
 */
public record UnknownPayload(PayloadType type, boolean critical, byte[] body) implements IkePayload {

    static UnknownPayload decode(PayloadType type, boolean critical, ByteBuf body) {
        return new UnknownPayload(type, critical, Bytes.rest(body));
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeBytes(body);
    }

    @Override
    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnknownPayload p
                && p.type.equals(type)
                && p.critical == critical
                && Arrays.equals(p.body, body);
    }

    @Override
    public int hashCode() {
        return (type.hashCode() * 31 + Boolean.hashCode(critical)) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Unknown[" + type + (critical ? " critical " : " ") + Bytes.hex(body) + "]";
    }
}
