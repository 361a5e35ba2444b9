package net.ipsecgw.core.tun;

/**
 * Why a packet between a lane and its TUN queue was dropped (or a read failed), counted per reason in
 * {@link TunQueueCounters}. Drops are counted, never thrown through the event loop. Immutable.
 */
public enum TunDropReason {
    /** A write found the queue full (EAGAIN); TUN writes do not block in practice, so this is rare. */
    WRITE_WOULD_BLOCK,
    /** io_uring only: every write slot is in flight, the packet was not submitted. */
    WRITE_BACKLOG_FULL,
    /** The kernel refused the packet (e.g. EINVAL for a malformed IP header, EIO when the link is down). */
    WRITE_FAILED,
    /** The kernel accepted fewer bytes than the packet had. */
    WRITE_SHORT,
    /** An empty buffer was handed to {@code write}. */
    WRITE_EMPTY,
    /** A write arrived after the queue's I/O was closed. */
    WRITE_CLOSED,
    /** A read failed with an error other than EAGAIN; the queue's I/O stops. */
    READ_FAILED,
    /** The packet handler threw; the packet's buffer is the handler's responsibility. */
    HANDLER_FAILED
}
