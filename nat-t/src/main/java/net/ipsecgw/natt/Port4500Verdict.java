package net.ipsecgw.natt;

/**
 * What a datagram received on the NAT-T port is, as decided by {@link Port4500Demux#classify}: one of
 * the three RFC 3948 §2 formats, or a drop with its {@link DropReason}.
 *
 * <p>One constant per outcome, so that classifying returns a shared constant and allocates nothing.
 */
public enum Port4500Verdict {
    /** ESP: a non-zero SPI and a sequence number (RFC 3948 §2.1). */
    ESP(null),
    /** IKE: the non-ESP marker then an IKE header (RFC 3948 §2.2). */
    IKE(null),
    /** A NAT-keepalive, a single 0xFF octet (RFC 3948 §2.3): ignored by the receiver. */
    KEEPALIVE(null),
    /** See {@link DropReason#EMPTY}. */
    DROP_EMPTY(DropReason.EMPTY),
    /** See {@link DropReason#BAD_KEEPALIVE}. */
    DROP_BAD_KEEPALIVE(DropReason.BAD_KEEPALIVE),
    /** See {@link DropReason#TRUNCATED_SPI}. */
    DROP_TRUNCATED_SPI(DropReason.TRUNCATED_SPI),
    /** See {@link DropReason#TRUNCATED_ESP}. */
    DROP_TRUNCATED_ESP(DropReason.TRUNCATED_ESP),
    /** See {@link DropReason#TRUNCATED_IKE}. */
    DROP_TRUNCATED_IKE(DropReason.TRUNCATED_IKE),
    /** See {@link DropReason#RESERVED_SPI}. */
    DROP_RESERVED_SPI(DropReason.RESERVED_SPI);

    private final DropReason dropReason;

    Port4500Verdict(DropReason dropReason) {
        this.dropReason = dropReason;
    }

    /** True when the datagram must be dropped (and counted under {@link #dropReason()}). */
    public boolean isDrop() {
        return dropReason != null;
    }

    /** Why the datagram is dropped, or {@code null} for ESP, IKE and keepalives. */
    public DropReason dropReason() {
        return dropReason;
    }
}
