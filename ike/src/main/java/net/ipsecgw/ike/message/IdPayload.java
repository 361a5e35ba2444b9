package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Identification payload (RFC 7296 §3.5): IDi or IDr.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   ID Type     |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                   Identification Data                         ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The ID type is the component {@code idType}, because {@link IkePayload#type()} is the payload
 * type (IDi or IDr).
 *
 * @param initiator true for IDi, false for IDr
 * @param idType the kind of identity
 * @param data the identity, encoded as {@code idType} says
 */
public record IdPayload(boolean initiator, IdType idType, byte[] data) implements IkePayload {
    private static final int FIXED = 4;

    static IdPayload decode(boolean initiator, ByteBuf body) throws DecodeFailure {
        Bytes.need(body, FIXED, "ID payload");
        IdType type = IdType.valueOf(body.readUnsignedByte());
        body.skipBytes(3);
        return new IdPayload(initiator, type, Bytes.rest(body));
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeByte(idType.value());
        out.writeMedium(0);
        out.writeBytes(data);
    }

    @Override
    public int bodyLength() {
        return FIXED + data.length;
    }

    @Override
    public PayloadType type() {
        return initiator ? PayloadType.IDI : PayloadType.IDR;
    }

    /**
     * The body as AUTH signs it (RFC 7296 §2.15, RestOfInitIDPayload / RestOfRespIDPayload): ID type,
     * three reserved zero bytes, identification data.
     */
    public byte[] bodyBytes() {
        byte[] bytes = new byte[bodyLength()];
        bytes[0] = (byte) idType.value();
        System.arraycopy(data, 0, bytes, FIXED, data.length);
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdPayload p
                && p.initiator == initiator
                && p.idType.equals(idType)
                && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return (Boolean.hashCode(initiator) * 31 + idType.hashCode()) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return (initiator ? "IDi[" : "IDr[") + idType + " " + Bytes.hex(data) + "]";
    }
}
