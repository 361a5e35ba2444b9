package net.ipsecgw.core.tun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.RejectedExecutionException;
import net.ipsecgw.core.linux.TunQueue;

/**
 * What the epoll and io_uring TUN queue I/O share: buffers, the handler call, counters and the close
 * protocol. Owned by the lane's event loop thread; only {@link #close()} and {@link #closeFuture()}
 * may be called from elsewhere.
 */
abstract class AbstractTunQueueIo implements TunQueueIo, IoHandle {
    final IoEventLoop loop;
    final TunQueue queue;
    final TunPacketHandler handler;
    final ByteBufAllocator allocator;
    final TunQueueIoConfig config;
    final TunQueueCounters counters = new TunQueueCounters();
    private final Promise<Void> closeFuture;

    /** Set on the loop once registered; null before, and after a failed registration. */
    IoRegistration registration;
    /** Set on the loop when closing starts: no new reads are submitted and writes are dropped. */
    boolean closing;
    /** Set on the loop once {@link #closeOnLoop()} ran (closing may also start by deregistration). */
    private boolean closeStarted;

    AbstractTunQueueIo(
            IoEventLoop loop,
            TunQueue queue,
            TunPacketHandler handler,
            ByteBufAllocator allocator,
            TunQueueIoConfig config) {
        this.loop = loop;
        this.queue = queue;
        this.handler = handler;
        this.allocator = allocator;
        this.config = config;
        this.closeFuture = loop.newPromise();
    }

    /** Called on the loop once registered: arm the first reads. */
    abstract void start(IoRegistration registration);

    /** Called on the loop once {@link #closing} is set: stop reads, deregister when idle. */
    abstract void closeOnLoop();

    @Override
    public final void close() {
        if (loop.inEventLoop()) {
            beginClose();
        } else {
            try {
                loop.execute(this::beginClose);
            } catch (RejectedExecutionException e) {
                // The loop is shutting down: it closes its registered handles itself.
            }
        }
    }

    private void beginClose() {
        if (closeStarted) {
            return;
        }
        closeStarted = true;
        closing = true;
        closeOnLoop();
    }

    /** Netty's IoHandle callback: the registration is gone, nothing will be delivered any more. */
    public final void unregistered() {
        closing = true;
        closeFuture.trySuccess(null);
    }

    /** A pooled direct buffer laid out as [headroom | room for one packet | tailroom]. */
    final ByteBuf newReadBuffer() {
        ByteBuf buf = allocator.directBuffer(config.bufferCapacity(), config.bufferCapacity());
        buf.setIndex(config.headroom(), config.headroom());
        return buf;
    }

    /** Hands a packet of {@code length} bytes (read into {@code buf} at the headroom) to the handler. */
    final void deliver(ByteBuf buf, int length) {
        buf.setIndex(config.headroom(), config.headroom() + length);
        counters.read(length);
        try {
            handler.packetReceived(buf);
        } catch (RuntimeException e) {
            counters.drop(TunDropReason.HANDLER_FAILED);
        }
    }

    /** Stops the queue's reads for good after an unexpected error, telling the handler once. */
    final void readFailed(Throwable cause) {
        counters.drop(TunDropReason.READ_FAILED);
        if (closing) {
            return;
        }
        try {
            handler.readFailed(cause);
        } catch (RuntimeException ignored) {
            counters.drop(TunDropReason.HANDLER_FAILED);
        }
        beginClose();
    }

    /** Common checks of {@code write}: on the loop, open, not empty. False means dropped and released. */
    final boolean acceptWrite(ByteBuf packet) {
        if (!loop.inEventLoop()) {
            packet.release();
            throw new IllegalStateException("TUN queue " + queue + " is written from " + Thread.currentThread()
                    + ", but only its lane's event loop may write it");
        }
        TunDropReason drop =
                closing ? TunDropReason.WRITE_CLOSED : packet.isReadable() ? null : TunDropReason.WRITE_EMPTY;
        if (drop != null) {
            counters.drop(drop);
            packet.release();
            return false;
        }
        return true;
    }

    /**
     * {@code packet} itself when it is one contiguous direct region, else a direct copy of its readable
     * bytes, releasing the original: heap and composite buffers cannot be handed to the kernel.
     */
    final ByteBuf direct(ByteBuf packet) {
        if (packet.hasMemoryAddress() || (packet.isDirect() && packet.nioBufferCount() == 1)) {
            return packet;
        }
        try {
            ByteBuf copy = allocator.directBuffer(packet.readableBytes());
            return copy.writeBytes(packet, packet.readerIndex(), packet.readableBytes());
        } finally {
            packet.release();
        }
    }

    /** The native address of byte 0 of a direct buffer. */
    static long address(ByteBuf buf) {
        if (buf.hasMemoryAddress()) {
            return buf.memoryAddress();
        }
        // Without Netty's Unsafe access the address comes from the buffer's cached NIO view.
        return MemorySegment.ofBuffer(buf.internalNioBuffer(0, buf.capacity())).address();
    }

    @Override
    public final TunQueue queue() {
        return queue;
    }

    @Override
    public final IoEventLoop eventLoop() {
        return loop;
    }

    @Override
    public final TunQueueCounters counters() {
        return counters;
    }

    @Override
    public final Future<Void> closeFuture() {
        return closeFuture;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + queue + "]";
    }
}
