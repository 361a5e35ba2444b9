package net.ipsecgw.core.tun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import net.ipsecgw.core.linux.TunQueue;

/**
 * TUN queue I/O on an epoll lane: the non-blocking fd is registered level-triggered for EPOLLIN; each
 * readiness event reads up to {@link TunQueueIoConfig#readBatch()} packets (until EAGAIN) into pooled
 * buffers; writes are one write(2) per packet, which a TUN device never makes wait.
 *
 * <pre>
 *   epoll_wait ─▶ handle(EPOLLIN) ─▶ loop { read(fd, buf) ─▶ EAGAIN? keep buf as spare, stop
 *                                          └▶ handler.packetReceived(buf) }
 *   write(buf) ─▶ write(fd) ─▶ release(buf)          (EAGAIN or error: drop and count)
 * </pre>
 *
 * <p>Owned by the lane's event loop thread (see {@link TunQueueIo}).
 */
final class EpollTunQueueIo extends AbstractTunQueueIo implements EpollIoHandle {
    private final FileDescriptor fd;
    /** The buffer of a read that hit EAGAIN, reused by the next read instead of freeing it. */
    private ByteBuf spare;

    EpollTunQueueIo(
            IoEventLoop loop,
            TunQueue queue,
            TunPacketHandler handler,
            ByteBufAllocator allocator,
            TunQueueIoConfig config) {
        super(loop, queue, handler, allocator, config);
        // A view of the queue's fd for Netty's read/write helpers; never closed through it (the
        // TunDevice owns the fd), so epoll deregistration always finds it open.
        this.fd = new FileDescriptor(queue.fd());
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    void start(IoRegistration registration) {
        this.registration = registration;
        if (closing) {
            registration.cancel();
            return;
        }
        // Level-triggered: packets left after a batch raise EPOLLIN again on the next loop turn.
        registration.submit(EpollIoOps.EPOLLIN);
    }

    @Override
    public void handle(IoRegistration registration, IoEvent ioEvent) {
        if (!closing) {
            readBatch();
        }
    }

    private void readBatch() {
        for (int i = 0; i < config.readBatch() && !closing; i++) {
            ByteBuf buf = spare != null ? spare : newReadBuffer();
            spare = null;
            int n;
            try {
                n = fd.readAddress(address(buf), config.headroom(), config.headroom() + config.mtu());
            } catch (IOException e) {
                buf.release();
                readFailed(e);
                return;
            }
            if (n == 0) {
                spare = buf; // EAGAIN: the queue is drained
                return;
            }
            if (n < 0) {
                // read(2) returned 0: a TUN fd has no end of file, so the device is gone.
                buf.release();
                readFailed(new IOException("read on " + queue + " returned end of file"));
                return;
            }
            deliver(buf, n);
        }
    }

    @Override
    public boolean write(ByteBuf packet) {
        if (!acceptWrite(packet)) {
            return false;
        }
        ByteBuf out = direct(packet);
        int length = out.readableBytes();
        try {
            int n = fd.writeAddress(address(out), out.readerIndex(), out.writerIndex());
            return countWrite(n, length);
        } catch (IOException e) {
            counters.drop(TunDropReason.WRITE_FAILED);
            return false;
        } finally {
            out.release();
        }
    }

    private boolean countWrite(int written, int length) {
        if (written == length) {
            counters.written(length);
            return true;
        }
        counters.drop(written == 0 ? TunDropReason.WRITE_WOULD_BLOCK : TunDropReason.WRITE_SHORT);
        return false;
    }

    @Override
    void closeOnLoop() {
        if (spare != null) {
            spare.release();
            spare = null;
        }
        if (registration != null) {
            // Removes the fd from epoll now; Netty then calls unregistered(), completing closeFuture.
            if (!registration.cancel()) {
                unregistered();
            }
        }
    }
}
