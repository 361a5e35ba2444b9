package net.ipsecgw.esp;

/**
 * Why an ESP packet was not delivered. Every drop has exactly one reason; the data path counts drops
 * per reason (per SA where the SA is known) and never throws them through an event loop.
 *
 * <p>{@link #NONE} is the outcome of a packet that was processed successfully.
 */
public enum DropReason {
    /** Not dropped: the packet was encapsulated or decapsulated. */
    NONE,
    /** Shorter than SPI, sequence number, IV, trailer and ICV together. */
    TRUNCATED,
    /** No inbound SA has the packet's SPI (or the packet reached an SA with another SPI). */
    UNKNOWN_SPI,
    /** Sequence number left of the replay window, already seen, or zero (RFC 4303 §3.4.3). */
    REPLAYED,
    /** The AEAD integrity check failed: forged, corrupted, or keyed for another SA. */
    BAD_ICV,
    /** Authentic, but the padding bytes are not 1, 2, 3, ... as RFC 4303 §2.4 specifies. */
    BAD_PADDING,
    /** Authentic, but the pad length points before the start of the payload. */
    BAD_PAD_LENGTH,
    /** A dummy packet (next header 59, RFC 4303 §2.6) used for traffic flow confidentiality. */
    DUMMY_PACKET,
    /** Authentic, but the next header is neither IPv4 (4) nor IPv6 (41): not tunnel mode. */
    UNSUPPORTED_NEXT_HEADER,
    /** Authentic, but the inner packet is empty or its IP version contradicts the next header. */
    MALFORMED_INNER,
    /** The SA has sent its last sequence number (2^32-1, or 2^64-1 with ESN) and never wraps. */
    SEQUENCE_EXHAUSTED,
    /** The SA passed its hard lifetime (bytes, packets or time) and must not be used any more. */
    HARD_EXPIRED,
    /** The buffer lacks headroom for the ESP header or tailroom for the trailer and ICV. */
    NO_BUFFER_SPACE;

    private static final DropReason[] VALUES = values();

    /** All reasons, in ordinal order, without a defensive copy: do not modify. */
    static DropReason[] all() {
        return VALUES;
    }

    /** True for every reason but {@link #NONE}. */
    public boolean isDrop() {
        return this != NONE;
    }
}
