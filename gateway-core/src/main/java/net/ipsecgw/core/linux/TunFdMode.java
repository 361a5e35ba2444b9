package net.ipsecgw.core.linux;

/**
 * How a TUN queue's file descriptor is opened, which follows from the transport that reads it.
 *
 * <p>An epoll loop needs {@link #NON_BLOCKING}: it reads until EAGAIN. An io_uring loop needs
 * {@link #BLOCKING}: io_uring honours O_NONBLOCK and would complete a read on an empty queue with
 * -EAGAIN at once instead of waiting for a packet. Immutable.
 */
public enum TunFdMode {
    /** {@code O_NONBLOCK}: reads return EAGAIN when the queue is empty (epoll). */
    NON_BLOCKING,
    /** Blocking descriptor: io_uring waits for a packet on the submitter's behalf. */
    BLOCKING
}
