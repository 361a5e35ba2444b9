package net.ipsecgw.core.linux;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One queue of a multi-queue TUN device: one file descriptor attached with
 * {@code TUNSETIFF(IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE)}. Each read returns one IP packet; each
 * write injects one. The kernel picks the queue for an outbound flow by its hash and remembers it, so
 * a flow stays on one queue, hence on one lane.
 *
 * <p>Owned by its {@link TunDevice}. The descriptor is read and written by exactly one lane's event loop
 * (see {@code net.ipsecgw.core.tun.TunQueueIo}); {@link #close()} may be called from any thread, once
 * that loop no longer uses the descriptor.
 */
public final class TunQueue implements AutoCloseable {
    private final String deviceName;
    private final int index;
    private final int fd;
    private final TunFdMode mode;
    private final AtomicBoolean closed = new AtomicBoolean();

    TunQueue(String deviceName, int index, int fd, TunFdMode mode) {
        this.deviceName = deviceName;
        this.index = index;
        this.fd = fd;
        this.mode = mode;
    }

    /** The name of the device this queue belongs to. */
    public String deviceName() {
        return deviceName;
    }

    /** The queue's position in its device's queue list (0-based; lane k uses queue k). */
    public int index() {
        return index;
    }

    /** The queue's file descriptor, for the event loop that reads and writes it. */
    public int fd() {
        return fd;
    }

    /** Whether the descriptor was opened with O_NONBLOCK. */
    public TunFdMode mode() {
        return mode;
    }

    /** False once {@link #close()} ran. */
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Detaches the queue from the device by closing its descriptor. The last queue's close removes a
     * (non-persistent) device. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return deviceName + "/queue" + index + "(fd " + fd + ", " + mode + ")";
    }
}
