package net.ipsecgw.natt;

/**
 * Why a datagram received on the NAT-T port was dropped before it reached ESP or IKE processing.
 *
 * <p>Each reason names the RFC 3948 §2 rule the datagram broke. Counted per lane in {@link
 * DropCounters}; never thrown.
 */
public enum DropReason {
    /** A zero-length UDP payload: neither keepalive, IKE nor ESP. */
    EMPTY,
    /** One octet other than 0xFF: a keepalive must be exactly 0xFF (RFC 3948 §2.3). */
    BAD_KEEPALIVE,
    /** Two or three octets: too short even for the four-octet SPI or non-ESP marker. */
    TRUNCATED_SPI,
    /** A non-zero SPI without the sequence number after it (RFC 4303 §2: 8-octet ESP header). */
    TRUNCATED_ESP,
    /** A non-ESP marker without a full 28-octet IKE header after it (RFC 3948 §2.2, RFC 7296 §3.1). */
    TRUNCATED_IKE,
    /** An SPI in 1-255, reserved by IANA (RFC 4303 §2.1): no SA of ours can carry it. */
    RESERVED_SPI
}
