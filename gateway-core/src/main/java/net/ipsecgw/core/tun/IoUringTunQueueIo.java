package net.ipsecgw.core.tun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import java.io.IOException;
import java.util.Arrays;
import net.ipsecgw.core.linux.TunQueue;
import net.ipsecgw.natt.sys.Syscalls;

/**
 * TUN queue I/O on an io_uring lane: {@link TunQueueIoConfig#readsInFlight()} READ submissions stay
 * queued on the blocking fd, each completion hands its packet on and resubmits; every write is a
 * WRITE submission whose buffer is held in a slot until its completion.
 *
 * <pre>
 *   submit READ(slot s, buf) ──▶ ring ──▶ completion(res) ─▶ handler.packetReceived(buf); submit READ(s)
 *   write(buf) ─▶ slot w ─▶ submit WRITE(w, buf) ──▶ ring ──▶ completion(res) ─▶ release(buf), free w
 *   close ─▶ ASYNC_CANCEL each READ ─▶ wait for every completion ─▶ deregister
 * </pre>
 *
 * <p>The submission's user data names its slot: reads use 0..readsInFlight-1, writes {@code WRITE_TAG}
 * plus the slot, cancels {@code CANCEL_TAG} plus the read slot (all fit Netty's 16-bit fast path).
 * Buffers stay referenced while the kernel may touch them and are released only at completion.
 *
 * <p>Owned by the lane's event loop thread (see {@link TunQueueIo}).
 */
final class IoUringTunQueueIo extends AbstractTunQueueIo implements IoUringIoHandle {
    // Opcodes from <linux/io_uring.h>; Netty keeps its own constants package-private.
    private static final byte IORING_OP_ASYNC_CANCEL = 14;
    private static final byte IORING_OP_READ = 22;
    private static final byte IORING_OP_WRITE = 23;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ECANCELED = 125;
    private static final int WRITE_TAG = 0x4000;
    private static final int CANCEL_TAG = 0x2000;
    /** Offset -1: "the current position", i.e. read(2)/write(2) semantics on a stream like TUN. */
    private static final long NO_OFFSET = -1L;

    private final ByteBuf[] reads;
    private final long[] readIds;
    private int readsInFlight;
    private final ByteBuf[] writes;
    private final int[] freeWriteSlots;
    private int freeWrites;
    private boolean deregistering;

    IoUringTunQueueIo(
            IoEventLoop loop,
            TunQueue queue,
            TunPacketHandler handler,
            ByteBufAllocator allocator,
            TunQueueIoConfig config) {
        super(loop, queue, handler, allocator, config);
        this.reads = new ByteBuf[config.readsInFlight()];
        this.readIds = new long[config.readsInFlight()];
        this.writes = new ByteBuf[config.writesInFlight()];
        this.freeWriteSlots = new int[config.writesInFlight()];
        for (int slot = 0; slot < freeWriteSlots.length; slot++) {
            freeWriteSlots[slot] = freeWriteSlots.length - 1 - slot;
        }
        this.freeWrites = freeWriteSlots.length;
    }

    @Override
    void start(IoRegistration registration) {
        this.registration = registration;
        if (closing) {
            finishCloseWhenIdle();
            return;
        }
        for (int slot = 0; slot < reads.length; slot++) {
            submitRead(slot);
        }
    }

    private void submitRead(int slot) {
        ByteBuf buf = newReadBuffer();
        long address = address(buf) + config.headroom();
        long id = registration.submit(new IoUringIoOps(
                IORING_OP_READ,
                (byte) 0,
                (short) 0,
                queue.fd(),
                NO_OFFSET,
                address,
                config.mtu(),
                0,
                slot,
                (short) 0,
                (short) 0,
                0,
                0));
        if (id == 0) {
            buf.release(); // the registration is no longer valid: closing
            return;
        }
        reads[slot] = buf;
        readIds[slot] = id;
        readsInFlight++;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent ioEvent) {
        IoUringIoEvent event = (IoUringIoEvent) ioEvent;
        int tag = (int) event.userData();
        switch (event.opcode()) {
            case IORING_OP_READ -> readCompleted(tag, event.res());
            case IORING_OP_WRITE -> writeCompleted(tag - WRITE_TAG, event.res());
            default -> {
                // ASYNC_CANCEL completions: the cancelled READ reports its own completion.
            }
        }
        if (closing) {
            finishCloseWhenIdle();
        }
    }

    private void readCompleted(int slot, int res) {
        ByteBuf buf = reads[slot];
        reads[slot] = null;
        readsInFlight--;
        if (res > 0) {
            deliver(buf, res);
        } else {
            buf.release();
            if (!closing && res != -EINTR && res != -EAGAIN && res != -ECANCELED) {
                readFailed(new IOException("read on " + queue + " failed: "
                        + (res == 0 ? "end of file" : Syscalls.strerror(-res) + " (errno " + -res + ")")));
            }
        }
        if (!closing) {
            submitRead(slot);
        }
    }

    @Override
    public boolean write(ByteBuf packet) {
        if (!acceptWrite(packet)) {
            return false;
        }
        if (freeWrites == 0) {
            counters.drop(TunDropReason.WRITE_BACKLOG_FULL);
            packet.release();
            return false;
        }
        ByteBuf out = direct(packet);
        int slot = freeWriteSlots[--freeWrites];
        long id = registration.submit(new IoUringIoOps(
                IORING_OP_WRITE,
                (byte) 0,
                (short) 0,
                queue.fd(),
                NO_OFFSET,
                address(out) + out.readerIndex(),
                out.readableBytes(),
                0,
                WRITE_TAG + slot,
                (short) 0,
                (short) 0,
                0,
                0));
        if (id == 0) {
            freeWriteSlots[freeWrites++] = slot;
            counters.drop(TunDropReason.WRITE_CLOSED);
            out.release();
            return false;
        }
        writes[slot] = out;
        return true;
    }

    private void writeCompleted(int slot, int res) {
        ByteBuf buf = writes[slot];
        writes[slot] = null;
        freeWriteSlots[freeWrites++] = slot;
        int length = buf.readableBytes();
        buf.release();
        if (res == length) {
            counters.written(length);
        } else if (res >= 0) {
            counters.drop(TunDropReason.WRITE_SHORT);
        } else {
            counters.drop(res == -EAGAIN ? TunDropReason.WRITE_WOULD_BLOCK : TunDropReason.WRITE_FAILED);
        }
    }

    @Override
    void closeOnLoop() {
        if (registration == null) {
            return; // start() will see closing
        }
        for (int slot = 0; slot < reads.length; slot++) {
            if (reads[slot] != null) {
                registration.submit(new IoUringIoOps(
                        IORING_OP_ASYNC_CANCEL,
                        (byte) 0,
                        (short) 0,
                        -1,
                        0,
                        readIds[slot],
                        0,
                        0,
                        CANCEL_TAG + slot,
                        (short) 0,
                        (short) 0,
                        0,
                        0));
            }
        }
        finishCloseWhenIdle();
    }

    /** Deregisters once no read or write is in flight: only then may the buffers be gone. */
    private void finishCloseWhenIdle() {
        if (deregistering || readsInFlight > 0 || freeWrites < writes.length || registration == null) {
            return;
        }
        deregistering = true;
        assert Arrays.stream(reads).allMatch(b -> b == null);
        // Netty calls unregistered() once the cancel completions are in, which completes closeFuture.
        if (!registration.cancel()) {
            unregistered();
        }
    }
}
