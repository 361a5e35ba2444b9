package net.ipsecgw.esp;

import io.netty.buffer.ByteBuf;

/**
 * The receiving side of an ESP SA: verifies and decrypts an ESP packet in place (RFC 4303 §3.4).
 *
 * <pre>
 *  [SPI|Seq][ IV ][ ciphertext ........................ ][ ICV ]
 *   1. length, SPI        4. trailer: pad length, next header, padding 1,2,3..
 *   2. ESN inference, replay check (before spending an AEAD operation)
 *   3. AEAD open in place, then commit the replay window (authentic packets only)
 *  after: readable bytes = the inner IP packet (TFC padding after it trimmed by its IP length)
 * </pre>
 *
 * Every failure leaves the SA's state unchanged (except the window, once the packet is authentic),
 * is counted per reason and is returned, never thrown.
 *
 * <p>Owned by one lane thread (see {@link EspSa}); so is its {@link ReplayWindow}.
 */
public final class InboundSa extends EspSa {
    private static final int OVERHEAD = PREFIX_LENGTH + EspCipherSuite.ICV_LENGTH;

    private final ReplayWindow window;
    private int lastNextHeader;

    /** An inbound SA installed at {@code nowNanos}, using the default AEAD implementation. */
    public InboundSa(SaParameters parameters, LifetimeListener listener, long nowNanos) {
        this(parameters, AeadCiphers.create(parameters.suite(), parameters.keys()), listener, nowNanos);
    }

    /** An inbound SA with a given cipher implementation. */
    public InboundSa(SaParameters parameters, AeadCipher cipher, LifetimeListener listener, long nowNanos) {
        super(parameters, cipher, listener, nowNanos);
        this.window = new ReplayWindow(parameters.replayWindow());
    }

    /** The anti-replay window (read it on the owning thread only). */
    public ReplayWindow window() {
        return window;
    }

    /** The next header of the last packet accepted: 4 (IPv4) or 41 (IPv6). */
    public int lastNextHeader() {
        return lastNextHeader;
    }

    /**
     * Decapsulates the ESP packet in the readable bytes of {@code packet} (SPI to ICV). On success the
     * readable bytes are the inner IP packet and {@link DropReason#NONE} is returned; otherwise the
     * counted reason is returned and the buffer content is undefined.
     */
    public DropReason decapsulate(ByteBuf packet) {
        if (isHardExpired()) {
            return drop(DropReason.HARD_EXPIRED);
        }
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        if (length < MIN_PACKET_LENGTH) {
            return drop(DropReason.TRUNCATED);
        }
        if (packet.getInt(start) != parameters.spi()) {
            return drop(DropReason.UNKNOWN_SPI);
        }
        int low = packet.getInt(start + 4);
        long seq = parameters.esn() ? window.inferEsn(low) : Integer.toUnsignedLong(low);
        if (!window.check(seq)) {
            return drop(DropReason.REPLAYED);
        }
        int textIndex = start + PREFIX_LENGTH;
        int textLength = length - OVERHEAD;
        aadSequence(seq);
        if (!cipher.open(packet, textIndex, textLength, packet.getLong(start + HEADER_LENGTH), aad, aadLength)) {
            return drop(DropReason.BAD_ICV);
        }
        window.commit(seq);
        return deliver(packet, textIndex, textLength);
    }

    /** Checks the authenticated trailer and padding, then leaves the inner packet readable. */
    private DropReason deliver(ByteBuf packet, int textIndex, int textLength) {
        int trailer = textIndex + textLength - TRAILER_LENGTH;
        int padLength = packet.getUnsignedByte(trailer);
        int nextHeader = packet.getUnsignedByte(trailer + 1);
        int payloadLength = textLength - TRAILER_LENGTH - padLength;
        if (payloadLength < 0) {
            return drop(DropReason.BAD_PAD_LENGTH);
        }
        for (int i = 1; i <= padLength; i++) {
            if (packet.getUnsignedByte(textIndex + payloadLength + i - 1) != i) {
                return drop(DropReason.BAD_PADDING);
            }
        }
        if (nextHeader == NEXT_HEADER_DUMMY) {
            return drop(DropReason.DUMMY_PACKET);
        }
        int innerLength = InnerPacket.length(packet, textIndex, payloadLength, nextHeader);
        if (innerLength < 0) {
            return drop(
                    innerLength == InnerPacket.NOT_IP
                            ? DropReason.UNSUPPORTED_NEXT_HEADER
                            : DropReason.MALFORMED_INNER);
        }
        packet.setIndex(textIndex, textIndex + innerLength);
        lastNextHeader = nextHeader;
        account(innerLength);
        return DropReason.NONE;
    }
}
