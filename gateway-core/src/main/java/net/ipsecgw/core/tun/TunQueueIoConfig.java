package net.ipsecgw.core.tun;

/**
 * Buffer layout and batching of one TUN queue's I/O. Immutable.
 *
 * @param headroom bytes reserved before each packet read, so an outer header (IPv4 20 + UDP 8 + ESP 8
 *     + IV 8 = 44 for UDP-encapsulated ESP, RFC 3948 / RFC 4303) can be prepended in place
 * @param mtu the largest packet the queue reads: the device's MTU, or with TUN offloads the largest
 *     IP packet (65,535) plus the 10-byte virtio-net header before it
 * @param tailroom bytes reserved after each packet read, for the ESP trailer (padding, pad length,
 *     next header) and the ICV
 * @param readBatch epoll: most packets read per readiness event before yielding to other work on the
 *     lane (the fd is level-triggered, so the rest is read on the next loop turn)
 * @param readsInFlight io_uring: reads kept submitted at once
 * @param writesInFlight io_uring: writes in flight at once; a write beyond this is dropped as
 *     {@link TunDropReason#WRITE_BACKLOG_FULL}
 */
public record TunQueueIoConfig(
        int headroom, int mtu, int tailroom, int readBatch, int readsInFlight, int writesInFlight) {
    /** The defaults for a device of the given MTU. */
    public static TunQueueIoConfig defaults(int mtu) {
        return new TunQueueIoConfig(64, mtu, 64, 64, 4, 256);
    }

    public TunQueueIoConfig {
        requireRange("headroom", headroom, 0, 1024);
        requireRange("mtu", mtu, 68, 65535 + 10);
        requireRange("tailroom", tailroom, 0, 1024);
        requireRange("readBatch", readBatch, 1, 4096);
        requireRange("readsInFlight", readsInFlight, 1, 256);
        requireRange("writesInFlight", writesInFlight, 1, 4096);
    }

    /** Capacity of each read buffer: headroom, the largest packet, tailroom. */
    public int bufferCapacity() {
        return headroom + mtu + tailroom;
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " is " + value + ", must be within " + min + "-" + max);
        }
    }
}
