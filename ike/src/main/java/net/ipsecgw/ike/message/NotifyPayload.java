package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Notify payload (RFC 7296 §3.10): an error or status, optionally about one SA.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                Security Parameter Index (SPI)                 ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                       Notification Data                       ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The notify type is the component {@code notifyType}, because {@link IkePayload#type()} is the
 * payload type.
 *
 * @param protocol the SA's protocol, {@link ProtocolId#NONE} when the SPI is empty
 * @param spi the SA's SPI, empty when the notify concerns no SA
 * @param notifyType the notify message type
 * @param data the notification data, empty if none
 */
public record NotifyPayload(ProtocolId protocol, byte[] spi, NotifyType notifyType, byte[] data) implements IkePayload {
    private static final int FIXED = 4;

    public NotifyPayload {
        if (spi.length > 255) {
            throw new IllegalArgumentException("SPI longer than 255 bytes");
        }
    }

    /** A notify about no particular SA. */
    public static NotifyPayload of(NotifyType type, byte[] data) {
        return new NotifyPayload(ProtocolId.NONE, Bytes.EMPTY, type, data);
    }

    /** A notify about no particular SA, without data (e.g. INITIAL_CONTACT). */
    public static NotifyPayload of(NotifyType type) {
        return of(type, Bytes.EMPTY);
    }

    /** An error notify without SPI or data (e.g. NO_PROPOSAL_CHOSEN, INVALID_SYNTAX). */
    public static NotifyPayload error(NotifyType type) {
        if (!type.isError()) {
            throw new IllegalArgumentException(type + " is a status type");
        }
        return of(type);
    }

    /** A notify about the Child SA with a 4-byte ESP or AH SPI (e.g. REKEY_SA, RFC 7296 §3.10.1). */
    public static NotifyPayload forChildSa(ProtocolId protocol, int spi, NotifyType type, byte[] data) {
        byte[] spiBytes = {(byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi};
        return new NotifyPayload(protocol, spiBytes, type, data);
    }

    static NotifyPayload decode(ByteBuf body) throws DecodeFailure {
        Bytes.need(body, FIXED, "notify payload");
        ProtocolId protocol = ProtocolId.valueOf(body.readUnsignedByte());
        int spiSize = body.readUnsignedByte();
        NotifyType type = NotifyType.valueOf(body.readUnsignedShort());
        byte[] spi = Bytes.read(body, spiSize, "notify SPI");
        return new NotifyPayload(protocol, spi, type, Bytes.rest(body));
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeByte(protocol.value());
        out.writeByte(spi.length);
        out.writeShort(notifyType.value());
        out.writeBytes(spi);
        out.writeBytes(data);
    }

    @Override
    public int bodyLength() {
        return FIXED + spi.length + data.length;
    }

    @Override
    public PayloadType type() {
        return PayloadType.NOTIFY;
    }

    /** True for an error type (RFC 7296 §3.10.1). */
    public boolean isError() {
        return notifyType.isError();
    }

    /** The SPI as a 32-bit number; throws unless the SPI has 4 bytes (ESP, AH). */
    public int spiAsInt() {
        if (spi.length != 4) {
            throw new IllegalStateException("SPI has " + spi.length + " bytes, not 4");
        }
        return (spi[0] & 0xff) << 24 | (spi[1] & 0xff) << 16 | (spi[2] & 0xff) << 8 | spi[3] & 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotifyPayload p
                && p.protocol.equals(protocol)
                && p.notifyType.equals(notifyType)
                && Arrays.equals(p.spi, spi)
                && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return ((protocol.hashCode() * 31 + notifyType.hashCode()) * 31 + Arrays.hashCode(spi)) * 31
                + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        String about = spi.length == 0 ? "" : " " + protocol + " spi=" + Bytes.hex(spi);
        return "N(" + notifyType + about + (data.length == 0 ? "" : " " + Bytes.hex(data)) + ")";
    }
}
