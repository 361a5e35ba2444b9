package net.ipsecgw.core.tun;

import io.netty.buffer.ByteBuf;

/**
 * Receives the IP packets read from one TUN queue (red side, outbound traffic), on the lane's event
 * loop thread, one call per packet.
 *
 * <p>Called only by the owning lane's thread. Implementations must not block and must not throw
 * (a throw is counted as {@link TunDropReason#HANDLER_FAILED}); they must not keep the buffer past
 * the call unless they own it from then on.
 */
@FunctionalInterface
public interface TunPacketHandler {
    /**
     * One IP packet, from {@code readerIndex} to {@code writerIndex}. The handler owns the buffer: it
     * must release it or pass it on (e.g. encrypt in place and send). The buffer has
     * {@link TunQueueIoConfig#headroom()} bytes before the packet and {@link TunQueueIoConfig#tailroom()}
     * bytes after it, for encapsulation in place.
     */
    void packetReceived(ByteBuf packet);

    /** The queue's reads stopped for good (e.g. the device was deleted); the I/O is being closed. */
    default void readFailed(Throwable cause) {}
}
