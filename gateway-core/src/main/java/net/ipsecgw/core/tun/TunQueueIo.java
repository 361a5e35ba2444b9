package net.ipsecgw.core.tun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import net.ipsecgw.core.linux.TunFdMode;
import net.ipsecgw.core.linux.TunQueue;
import net.ipsecgw.core.red.RedQueue;

/**
 * One TUN queue's packet I/O, registered on its lane's event loop through Netty 4.2's {@code IoHandle}
 * API: packets read from the queue go to a {@link TunPacketHandler}; {@link #write(ByteBuf)} injects a
 * packet into the kernel (inbound traffic, after decryption).
 *
 * <pre>
 *   kernel TUN queue k ──read──▶ pooled ByteBuf [headroom | packet | tailroom] ──▶ TunPacketHandler
 *   kernel TUN queue k ◀─write── ByteBuf (one packet, released after the write)  ◀── lane k pipeline
 *                         all on lane k's event loop thread; no lock, no hand-off
 * </pre>
 *
 * <p>Two implementations, chosen by the loop's transport: epoll (non-blocking fd, read until EAGAIN,
 * write(2) per packet) and io_uring (blocking fd, READ and WRITE submissions completed by the ring).
 *
 * <p>Owned by the lane's event loop thread: {@link #write(ByteBuf)} must be called on it; {@link
 * #close()}, {@link #closeFuture()} and {@link #counters()} may be called from any thread.
 */
public interface TunQueueIo extends RedQueue, AutoCloseable {
    /**
     * Registers {@code queue} on {@code loop} and starts reading. The returned future completes (on
     * the loop) once reads are armed.
     *
     * @throws IllegalArgumentException when the loop's transport cannot read this queue (e.g. an
     *     epoll loop with a blocking queue)
     */
    static Future<TunQueueIo> register(
            IoEventLoop loop,
            TunQueue queue,
            TunPacketHandler handler,
            ByteBufAllocator allocator,
            TunQueueIoConfig config) {
        Promise<TunQueueIo> promise = loop.newPromise();
        AbstractTunQueueIo io;
        if (loop.isCompatible(EpollIoHandle.class)) {
            requireMode(queue, TunFdMode.NON_BLOCKING, "an epoll");
            io = new EpollTunQueueIo(loop, queue, handler, allocator, config);
        } else if (loop.isCompatible(IoUringIoHandle.class)) {
            requireMode(queue, TunFdMode.BLOCKING, "an io_uring");
            io = new IoUringTunQueueIo(loop, queue, handler, allocator, config);
        } else {
            throw new IllegalArgumentException("lane loop " + loop + " is neither epoll nor io_uring");
        }
        loop.register(io).addListener((Future<IoRegistration> f) -> {
            if (f.isSuccess()) {
                io.start(f.getNow());
                promise.setSuccess(io);
            } else {
                io.unregistered();
                promise.setFailure(f.cause());
            }
        });
        return promise;
    }

    private static void requireMode(TunQueue queue, TunFdMode needed, String transport) {
        if (queue.mode() != needed) {
            throw new IllegalArgumentException(queue + " was opened " + queue.mode() + ", but " + transport
                    + " lane needs " + needed + " (open the device with LaneTransport.tunFdMode())");
        }
    }

    /**
     * Writes one IP packet (readerIndex to writerIndex) to the queue, taking ownership of the buffer
     * (it is released once written, or at once when dropped). Must be called on the lane's thread.
     *
     * @return false when the packet was dropped (counted in {@link #counters()} by reason); for
     *     io_uring, true means submitted and a later failure is counted as well
     */
    @Override
    boolean write(ByteBuf packet);

    /** The queue this I/O reads and writes. */
    TunQueue queue();

    /** The lane's event loop this I/O is registered on. */
    IoEventLoop eventLoop();

    /** Packet, byte and drop counters (readable from any thread). */
    TunQueueCounters counters();

    /**
     * Stops reading, waits for in-flight operations, deregisters and releases every buffer. Does not
     * close the {@link TunQueue} (its {@code TunDevice} owns the descriptor). Any thread; idempotent.
     */
    @Override
    void close();

    /** Completes once {@link #close()} finished: nothing is registered or in flight any more. */
    Future<Void> closeFuture();
}
