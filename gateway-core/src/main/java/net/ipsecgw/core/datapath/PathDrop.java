package net.ipsecgw.core.datapath;

/**
 * Why the forwarding pipeline itself dropped a packet (ESP's own reasons are {@link
 * net.ipsecgw.esp.DropReason}, NAT-T demultiplexing's are {@link net.ipsecgw.natt.DropReason}).
 */
public enum PathDrop {
    /** Outbound: no tunnel's traffic selectors cover the packet (RFC 4301 §5.1: DISCARD). */
    NO_POLICY,
    /**
     * Outbound: a tunnel's policy covers the packet, but the lane has no usable SA for it (none
     * negotiated yet, or hard-expired without a fallback): dropped, and an acquire is reported.
     */
    NO_SA,
    /** Inbound: the decrypted packet's addresses are outside its SA's traffic selectors (RFC 4301 §5.2). */
    POLICY_MISMATCH,
    /**
     * A datagram filled the whole receive slot, so the kernel may have cut it short: dropped before any
     * lookup, rather than counted as a forgery later.
     */
    OVERSIZED,
    /**
     * With TUN offload: a packet from the TUN queue whose virtio-net header or TCP/UDP headers cannot be
     * segmented.
     */
    BAD_OFFLOAD,
    /** An IKE message arrived, but no IKE daemon is attached to this gateway. */
    IKE_NOT_HANDLED,
    /** Outbound: the lane's socket has too much unsent data; dropping beats queueing without bound. */
    SEND_BACKLOG,
    /** The red side (TUN queue or traffic sink) refused a decrypted packet (counted there too). */
    TUN_WRITE_FAILED,
    /**
     * A lane socket reported an error: a send the kernel refused (a UDP GSO run whose segments exceed
     * the route's MTU: {@code EMSGSIZE}; no route) or an error surfaced while receiving. Counted once
     * per error, not per packet of a refused run.
     */
    SOCKET_ERROR;

    static final PathDrop[] VALUES = values();
}
