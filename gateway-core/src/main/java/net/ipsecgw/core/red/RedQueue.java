package net.ipsecgw.core.red;

import io.netty.buffer.ByteBuf;

/**
 * Where a lane puts what it decrypted: its red side. Either one queue of the multi-queue TUN device
 * ({@link net.ipsecgw.core.tun.TunQueueIo}) or an in-process traffic sink ({@link TrafficGenerator}).
 * What the red side hands the lane goes the other way, through {@link
 * net.ipsecgw.core.tun.TunPacketHandler#packetReceived}.
 *
 * <p>Called only on the owning lane's event loop thread.
 */
public interface RedQueue {
    /**
     * Takes one IP packet (readerIndex to writerIndex) and ownership of the buffer.
     *
     * @return false when the packet was dropped (counted by the implementation)
     */
    boolean write(ByteBuf packet);
}
