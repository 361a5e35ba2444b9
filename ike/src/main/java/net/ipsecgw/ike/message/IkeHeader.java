package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;

/**
 * The fixed IKE header (RFC 7296 §3.1).
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>All fields are kept as received, reserved flag bits too, because the header is part of the
 * authenticated data of the encrypted payload. {@code messageId} and {@code length} are unsigned 32-bit
 * values held in an {@code int}: compare them with {@link Integer#compareUnsigned}. Immutable.
 *
 * @param initiatorSpi the IKE SA initiator's SPI
 * @param responderSpi the IKE SA responder's SPI, zero in the first IKE_SA_INIT request
 * @param nextPayload the type of the first payload ({@link PayloadType#value()})
 * @param version major version in the high nibble, minor in the low: {@link #VERSION_2_0}
 * @param exchangeType the exchange type
 * @param flags the flags octet: {@link #FLAG_INITIATOR}, {@link #FLAG_VERSION}, {@link #FLAG_RESPONSE}
 * @param messageId the message ID (unsigned)
 * @param length the length of the whole message including this header (unsigned); filled in by the
 *     encoders of {@link IkeMessage}
 */
public record IkeHeader(
        long initiatorSpi,
        long responderSpi,
        int nextPayload,
        int version,
        ExchangeType exchangeType,
        int flags,
        int messageId,
        int length) {

    /** Bytes of the header. */
    public static final int LENGTH = 28;
    /** Version 2.0, the only one this implementation speaks. */
    public static final int VERSION_2_0 = 0x20;
    /** Set in messages sent by the original initiator of the IKE SA. */
    public static final int FLAG_INITIATOR = 0x08;
    /** Set by a sender that could speak a higher major version (never by IKEv2-only implementations). */
    public static final int FLAG_VERSION = 0x10;
    /** Set in responses. */
    public static final int FLAG_RESPONSE = 0x20;

    /** Checks that each octet-sized field fits its octet. */
    public IkeHeader {
        checkOctet(nextPayload, "next payload");
        checkOctet(version, "version");
        checkOctet(flags, "flags");
        if (exchangeType == null) {
            throw new IllegalArgumentException("exchange type is null");
        }
    }

    /** A version 2.0 header to encode; next payload and length are filled in by the encoder. */
    public static IkeHeader of(
            long initiatorSpi, long responderSpi, ExchangeType exchangeType, int flags, int messageId) {
        return new IkeHeader(initiatorSpi, responderSpi, 0, VERSION_2_0, exchangeType, flags, messageId, 0);
    }

    /**
     * Reads a header from the 28 bytes at {@code in}'s reader index, leaving the index where it is.
     *
     * @throws IllegalArgumentException if fewer than {@link #LENGTH} bytes are readable
     */
    public static IkeHeader decode(ByteBuf in) {
        if (in.readableBytes() < LENGTH) {
            throw new IllegalArgumentException("IKE header needs 28 bytes, has " + in.readableBytes());
        }
        int i = in.readerIndex();
        return new IkeHeader(
                in.getLong(i),
                in.getLong(i + 8),
                in.getUnsignedByte(i + 16),
                in.getUnsignedByte(i + 17),
                ExchangeType.valueOf(in.getUnsignedByte(i + 18)),
                in.getUnsignedByte(i + 19),
                in.getInt(i + 20),
                in.getInt(i + 24));
    }

    /** Writes the 28 header bytes at {@code out}'s writer index, fields as they are. */
    public void encode(ByteBuf out) {
        out.writeLong(initiatorSpi);
        out.writeLong(responderSpi);
        out.writeByte(nextPayload);
        out.writeByte(version);
        out.writeByte(exchangeType.value());
        out.writeByte(flags);
        out.writeInt(messageId);
        out.writeInt(length);
    }

    /** The major version, 2 for IKEv2. */
    public int majorVersion() {
        return version >>> 4;
    }

    /** The minor version. */
    public int minorVersion() {
        return version & 0x0f;
    }

    /** True if the original initiator of the IKE SA sent this message (flag 0x08). */
    public boolean isInitiator() {
        return (flags & FLAG_INITIATOR) != 0;
    }

    /** True for a response (flag 0x20). */
    public boolean isResponse() {
        return (flags & FLAG_RESPONSE) != 0;
    }

    /** The message ID as the unsigned number it is. */
    public long unsignedMessageId() {
        return Integer.toUnsignedLong(messageId);
    }

    /** The message length as the unsigned number it is. */
    public long unsignedLength() {
        return Integer.toUnsignedLong(length);
    }

    /** This header with another next payload type. */
    public IkeHeader withNextPayload(int type) {
        return new IkeHeader(initiatorSpi, responderSpi, type, version, exchangeType, flags, messageId, length);
    }

    /** This header with another length. */
    public IkeHeader withLength(int newLength) {
        return new IkeHeader(
                initiatorSpi, responderSpi, nextPayload, version, exchangeType, flags, messageId, newLength);
    }

    @Override
    public String toString() {
        return String.format(
                "IkeHeader[%016x_i %016x_r %s %s%s #%d next=%s len=%d ver=0x%02x]",
                initiatorSpi,
                responderSpi,
                exchangeType,
                isResponse() ? "response" : "request",
                isInitiator() ? " (I)" : "",
                unsignedMessageId(),
                PayloadType.valueOf(nextPayload),
                unsignedLength(),
                version);
    }

    private static void checkOctet(int value, String what) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(what + " out of range 0..255: " + value);
        }
    }
}
