package net.ipsecgw.esp;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sending side of an ESP SA: turns an inner packet into an ESP packet in place (RFC 4303 §3.3).
 *
 * <pre>
 *  before:            [headroom >= 16][ inner packet ][tailroom >= 21]
 *                                      ^reader         ^writer
 *  after:  [SPI|Seq][  IV  ][ inner packet | pad 1,2,.. | padlen | nh ][ ICV ]
 *          ^reader  (IV = 64-bit sequence number)   encrypted in place  ^writer
 * </pre>
 *
 * The explicit IV is the full 64-bit sequence number, unique per SA by construction (RFC 4106 §3.1,
 * RFC 7634 §2). The sequence number never wraps: the SA sends 1 .. 2^32-1 (2^64-1 with ESN), then
 * reports a hard expiry and refuses every further packet with {@link DropReason#SEQUENCE_EXHAUSTED}.
 *
 * <p>Owned by one lane thread (see {@link EspSa}); {@link #sharedCopies} gives one copy per lane of an
 * SA that every lane may use.
 */
public final class OutboundSa extends EspSa {
    private final long lastSequence;
    /** The last sequence number sent (0: none yet), when this copy numbers on its own. */
    private long sequence;
    /** The counter shared by all lanes' copies of one SA, or null. */
    private final AtomicLong shared;

    /** An outbound SA installed at {@code nowNanos}, using the default AEAD implementation. */
    public OutboundSa(SaParameters parameters, LifetimeListener listener, long nowNanos) {
        this(parameters, AeadCiphers.create(parameters.suite(), parameters.keys()), listener, nowNanos);
    }

    /** An outbound SA with a given cipher implementation. */
    public OutboundSa(SaParameters parameters, AeadCipher cipher, LifetimeListener listener, long nowNanos) {
        this(parameters, cipher, listener, nowNanos, null);
    }

    private OutboundSa(
            SaParameters parameters, AeadCipher cipher, LifetimeListener listener, long nowNanos, AtomicLong shared) {
        super(parameters, cipher, listener, nowNanos);
        this.lastSequence = parameters.esn() ? -1L : 0xFFFF_FFFFL;
        this.shared = shared;
    }

    /**
     * {@code copies} outbound SAs for one SA that several lanes send on at once (RFC 9611's fallback
     * SA): each copy has its own cipher context and belongs to one lane, and all draw sequence numbers,
     * and so IVs, from one atomic counter, so that no number is ever used twice. Volume limits are
     * counted per copy.
     */
    public static List<OutboundSa> sharedCopies(
            SaParameters parameters, int copies, LifetimeListener listener, long nowNanos) {
        AtomicLong counter = new AtomicLong();
        List<OutboundSa> all = new ArrayList<>(copies);
        for (int i = 0; i < copies; i++) {
            AeadCipher cipher = AeadCiphers.create(parameters.suite(), parameters.keys());
            all.add(new OutboundSa(parameters, cipher, listener, nowNanos, counter));
        }
        return List.copyOf(all);
    }

    /** The last sequence number sent (on any copy, for shared copies), 0 before the first packet. */
    public long sequence() {
        return shared == null ? sequence : shared.get();
    }

    /**
     * Encapsulates the readable bytes of {@code packet} (an IP packet) in place. On success the readable
     * bytes are the ESP packet, from SPI to ICV, and {@link DropReason#NONE} is returned; on failure the
     * buffer is unchanged and the reason is counted and returned.
     *
     * @param nextHeader {@link #NEXT_HEADER_IPV4}, {@link #NEXT_HEADER_IPV6} or {@link #NEXT_HEADER_DUMMY}
     */
    public DropReason encapsulate(ByteBuf packet, int nextHeader) {
        if (isHardExpired()) {
            return drop(sequence() == lastSequence ? DropReason.SEQUENCE_EXHAUSTED : DropReason.HARD_EXPIRED);
        }
        if (!hasRoom(packet)) {
            return drop(DropReason.NO_BUFFER_SPACE);
        }
        long seq = nextSequence();
        if (seq == 0) {
            expireHard(SaLifetime.Kind.SEQUENCE);
            return drop(DropReason.SEQUENCE_EXHAUSTED);
        }
        return encapsulate(packet, nextHeader, seq, seq);
    }

    /** The next sequence number to send, or 0 when the space is used up. */
    private long nextSequence() {
        if (shared == null) {
            return sequence == lastSequence ? 0 : ++sequence;
        }
        long current;
        do { // the counter stops at the last number, so it can never wrap and hand out a number twice
            current = shared.get();
            if (current == lastSequence) {
                return 0;
            }
        } while (!shared.compareAndSet(current, current + 1));
        return current + 1;
    }

    private static boolean hasRoom(ByteBuf packet) {
        int padLength = -(packet.readableBytes() + TRAILER_LENGTH) & (ALIGNMENT - 1);
        return packet.readerIndex() >= PREFIX_LENGTH
                && packet.writableBytes() >= padLength + TRAILER_LENGTH + EspCipherSuite.ICV_LENGTH;
    }

    /** Encapsulates with a given sequence number and IV; known-answer tests use vectors' own values. */
    DropReason encapsulate(ByteBuf packet, int nextHeader, long seq, long iv) {
        int innerIndex = packet.readerIndex();
        int innerLength = packet.readableBytes();
        int padLength = -(innerLength + TRAILER_LENGTH) & (ALIGNMENT - 1);
        int textLength = innerLength + padLength + TRAILER_LENGTH;
        if (!hasRoom(packet)) {
            return drop(DropReason.NO_BUFFER_SPACE);
        }
        int trailer = packet.writerIndex();
        for (int i = 1; i <= padLength; i++) {
            packet.setByte(trailer++, i);
        }
        packet.setByte(trailer, padLength);
        packet.setByte(trailer + 1, nextHeader);

        int start = innerIndex - PREFIX_LENGTH;
        packet.setInt(start, parameters.spi());
        packet.setInt(start + 4, (int) seq);
        packet.setLong(start + HEADER_LENGTH, iv);
        aadSequence(seq);
        cipher.seal(packet, innerIndex, textLength, iv, aad, aadLength);
        packet.setIndex(start, innerIndex + textLength + EspCipherSuite.ICV_LENGTH);
        account(innerLength);
        return DropReason.NONE;
    }

    /** Continues numbering after {@code lastSent}; tests use it to reach the end of the sequence space. */
    void skipTo(long lastSent) {
        if (shared != null) {
            shared.set(lastSent);
        }
        this.sequence = lastSent;
    }
}
