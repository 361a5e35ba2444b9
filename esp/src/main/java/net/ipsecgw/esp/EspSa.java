package net.ipsecgw.esp;

import io.netty.buffer.ByteBuf;

/**
 * What inbound and outbound ESP SAs share: identity, cipher, lifetime accounting and counters.
 *
 * <p>Owned by one thread, the lane the SA is installed on: every method but the counter getters must
 * be called there. The counters are plain fields written by the owner only; other threads (metrics)
 * may read them and see a slightly stale value, never a torn one on 64-bit JVMs.
 */
public abstract sealed class EspSa permits InboundSa, OutboundSa {
    /** Bytes of SPI plus 32-bit sequence number (RFC 4303 §2). */
    public static final int HEADER_LENGTH = 8;
    /** Bytes before the encrypted payload: header plus explicit IV. */
    public static final int PREFIX_LENGTH = HEADER_LENGTH + EspCipherSuite.IV_LENGTH;
    /** Bytes of pad length and next header (RFC 4303 §2.5, §2.6). */
    public static final int TRAILER_LENGTH = 2;
    /** The payload plus padding plus trailer is a multiple of this (RFC 4303 §2.4). */
    public static final int ALIGNMENT = 4;
    /** Smallest well-formed packet: header, IV, an empty payload's trailer and the ICV. */
    public static final int MIN_PACKET_LENGTH = PREFIX_LENGTH + TRAILER_LENGTH + EspCipherSuite.ICV_LENGTH;
    /** Headroom an outbound packet needs before its inner packet. */
    public static final int HEADROOM = PREFIX_LENGTH;
    /** Tailroom an outbound packet needs after its inner packet, before any TFC padding. */
    public static final int TAILROOM = ALIGNMENT - 1 + TRAILER_LENGTH + EspCipherSuite.ICV_LENGTH;

    /** Next header of an inner IPv4 packet (IANA protocol number 4, IP-in-IP). */
    public static final int NEXT_HEADER_IPV4 = 4;
    /** Next header of an inner IPv6 packet (IANA protocol number 41). */
    public static final int NEXT_HEADER_IPV6 = 41;
    /** Next header of a dummy packet, to be discarded (RFC 4303 §2.6, IANA 59 "no next header"). */
    public static final int NEXT_HEADER_DUMMY = 59;

    final SaParameters parameters;
    final AeadCipher cipher;
    /** Additional authenticated data: SPI, then the high (ESN only) and low sequence number halves. */
    final byte[] aad = new byte[12];

    final int aadLength;
    private final LifetimeListener listener;
    private final long installedNanos;
    private boolean softExpired;
    private boolean hardExpired;

    private long packets;
    private long bytes;
    private final long[] drops = new long[DropReason.all().length];

    EspSa(SaParameters parameters, AeadCipher cipher, LifetimeListener listener, long nowNanos) {
        this.parameters = parameters;
        this.cipher = cipher;
        this.listener = listener;
        this.installedNanos = nowNanos;
        this.aadLength = parameters.esn() ? 12 : 8;
        int spi = parameters.spi();
        aad[0] = (byte) (spi >>> 24);
        aad[1] = (byte) (spi >>> 16);
        aad[2] = (byte) (spi >>> 8);
        aad[3] = (byte) spi;
    }

    /** The SPI as on the wire. */
    public int spi() {
        return parameters.spi();
    }

    /** The parameters this SA was created from. */
    public SaParameters parameters() {
        return parameters;
    }

    /** Packets processed successfully. */
    public long packets() {
        return packets;
    }

    /** Bytes of inner packets processed successfully. */
    public long bytes() {
        return bytes;
    }

    /** Packets dropped for {@code reason}. */
    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** True once a hard limit was reached: the SA then refuses every packet. */
    public boolean isHardExpired() {
        return hardExpired;
    }

    /** True once a soft limit was reached. */
    public boolean isSoftExpired() {
        return softExpired;
    }

    /**
     * Checks the time limits against {@code nowNanos} ({@link System#nanoTime()} scale). The lane calls
     * this from a timer, not per packet.
     */
    public void checkTime(long nowNanos) {
        long age = nowNanos - installedNanos;
        SaLifetime lifetime = parameters.lifetime();
        if (!lifetime.hardTime().isZero() && age >= lifetime.hardTime().toNanos()) {
            expireHard(SaLifetime.Kind.TIME);
        } else if (!lifetime.softTime().isZero() && age >= lifetime.softTime().toNanos()) {
            expireSoft(SaLifetime.Kind.TIME);
        }
    }

    /** Counts a drop and returns its reason, so that drop sites read {@code return drop(REASON)}. */
    final DropReason drop(DropReason reason) {
        drops[reason.ordinal()]++;
        return reason;
    }

    /** Counts a processed packet of {@code innerBytes} and checks the volume limits. */
    final void account(int innerBytes) {
        packets++;
        bytes += innerBytes;
        SaLifetime lifetime = parameters.lifetime();
        if (reached(packets, lifetime.hardPackets())) {
            expireHard(SaLifetime.Kind.PACKETS);
        } else if (reached(bytes, lifetime.hardBytes())) {
            expireHard(SaLifetime.Kind.BYTES);
        } else if (!softExpired) {
            if (reached(packets, lifetime.softPackets())) {
                expireSoft(SaLifetime.Kind.PACKETS);
            } else if (reached(bytes, lifetime.softBytes())) {
                expireSoft(SaLifetime.Kind.BYTES);
            }
        }
    }

    final void expireHard(SaLifetime.Kind kind) {
        if (!hardExpired) {
            expireSoft(kind); // a hard limit implies the soft one: the listener always sees both, in order
            hardExpired = true;
            listener.hardExpired(this, kind);
        }
    }

    private void expireSoft(SaLifetime.Kind kind) {
        if (!softExpired) {
            softExpired = true;
            listener.softExpired(this, kind);
        }
    }

    private static boolean reached(long value, long limit) {
        return limit != 0 && value >= limit;
    }

    /** Writes the sequence number halves into the AAD scratch (high half only with ESN). */
    final void aadSequence(long seq) {
        int at = 4;
        if (parameters.esn()) {
            putInt(aad, at, (int) (seq >>> 32));
            at += 4;
        }
        putInt(aad, at, (int) seq);
    }

    static void putInt(byte[] array, int at, int value) {
        array[at] = (byte) (value >>> 24);
        array[at + 1] = (byte) (value >>> 16);
        array[at + 2] = (byte) (value >>> 8);
        array[at + 3] = (byte) value;
    }

    /** The SPI of the ESP packet starting at the reader index (the buffer must hold 4 bytes). */
    public static int peekSpi(ByteBuf packet) {
        return packet.getInt(packet.readerIndex());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[spi=0x" + Integer.toHexString(spi()) + ", " + parameters.suite()
                + (parameters.esn() ? ", esn" : "") + "]";
    }
}
