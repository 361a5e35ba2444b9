package net.ipsecgw.core.linux;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.core.offload.TunOffloadControl;
import net.ipsecgw.natt.sys.SyscallException;

/**
 * A multi-queue TUN device (layer 3, no packet-information header): the gateway's red side. Each lane
 * owns one {@link TunQueue}; the kernel spreads outbound flows over the queues by flow hash.
 *
 * <p>Creation opens {@code /dev/net/tun} once per queue and attaches each descriptor to the same name
 * with {@code TUNSETIFF(IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE)}. The first queue also sets
 * {@code IFF_TUN_EXCL}, so it creates a new device or fails with EBUSY when the name is taken: the
 * gateway never silently joins a device someone else made. Then the MTU is set and the link brought up. The device is not persistent: closing every queue
 * removes it. Addresses and routes are the system's business, not this class's.
 *
 * <p>The device is created in the network namespace of the <em>calling thread</em>. Open and close may
 * be called from any thread; the queues are then handed to one lane each.
 */
public final class TunDevice implements AutoCloseable {
    /** {@code TUNSETIFF = _IOW('T', 202, int)}. */
    private static final long TUNSETIFF = 0x400454caL;

    private static final short IFF_TUN = 0x0001;
    private static final short IFF_MULTI_QUEUE = 0x0100;
    private static final short IFF_NO_PI = 0x1000;
    /** Create only: fail with EBUSY when the name already exists, rather than attach to that device. */
    private static final short IFF_TUN_EXCL = (short) 0x8000;

    private static final String CLONE_DEVICE = "/dev/net/tun";

    private final String name;
    private final int mtu;
    private final List<TunQueue> queues;
    private final int offloads;

    private TunDevice(String name, int mtu, List<TunQueue> queues, int offloads) {
        this.name = name;
        this.mtu = mtu;
        this.queues = List.copyOf(queues);
        this.offloads = offloads;
    }

    /**
     * Creates the multi-queue TUN device {@code name} with {@code queueCount} queues, sets its MTU
     * and brings it up.
     *
     * @param mode {@link TunFdMode#NON_BLOCKING} for epoll lanes, {@link TunFdMode#BLOCKING} for io_uring
     * @throws IllegalArgumentException for a name the kernel would reject (too long, bad characters)
     * @throws TunDeviceException when the kernel refuses, with a {@link TunDeviceException.Reason}
     */
    public static TunDevice open(String name, int queueCount, int mtu, TunFdMode mode) {
        return open(name, queueCount, mtu, mode, false);
    }

    /**
     * Like {@link #open(String, int, int, TunFdMode)}; with {@code offload}, every queue carries a
     * 10-byte virtio-net header before each packet (IFF_VNET_HDR) and the device accepts and hands out
     * TCP super-packets of up to 64 KB (TUNSETOFFLOAD with checksum and TSO), and UDP super-packets too
     * where the kernel supports USO ({@link TunOffloadControl#enableOffload(int)}); {@link #offloads()}
     * tells which. See {@code net.ipsecgw.core.offload}.
     */
    public static TunDevice open(String name, int queueCount, int mtu, TunFdMode mode, boolean offload) {
        InterfaceNames.requireValid(name);
        if (queueCount < 1 || queueCount > 256) {
            throw new IllegalArgumentException("queue count " + queueCount + " is outside 1-256 (MAX_TAP_QUEUES)");
        }
        List<TunQueue> queues = new ArrayList<>(queueCount);
        try {
            String actualName = name;
            for (int i = 0; i < queueCount; i++) {
                short extra = (short) ((i == 0 ? IFF_TUN_EXCL : 0) | (offload ? TunOffloadControl.IFF_VNET_HDR : 0));
                queues.add(attachQueue(actualName, i, mode, extra));
                actualName = queues.get(i).deviceName();
            }
            int offloads = offload
                    ? TunOffloadControl.enableOffload(queues.getFirst().fd()) // a device-wide setting
                    : 0;
            InterfaceControl.setMtu(actualName, mtu);
            InterfaceControl.setUp(actualName);
            return new TunDevice(actualName, mtu, queues, offloads);
        } catch (RuntimeException e) {
            queues.forEach(q -> closeQuietly(q, e));
            throw e;
        }
    }

    private static TunQueue attachQueue(String name, int index, TunFdMode mode, short extraFlags) {
        int flags = Libc.O_RDWR | Libc.O_CLOEXEC | (mode == TunFdMode.NON_BLOCKING ? Libc.O_NONBLOCK : 0);
        int fd;
        try {
            fd = Libc.open(CLONE_DEVICE, flags);
        } catch (SyscallException e) {
            throw TunDeviceException.fromOpen(e);
        }
        try (Arena arena = Arena.ofConfined()) {
            Ifreq ifr = Ifreq.forName(arena, name);
            ifr.flags((short) (IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | extraFlags));
            Libc.ioctl(fd, TUNSETIFF, ifr.segment(), "ioctl(TUNSETIFF, " + name + ")");
            // The kernel writes back the name it used (it expands a "%d" pattern).
            return new TunQueue(ifr.name(), index, fd, mode);
        } catch (SyscallException e) {
            Libc.close(fd);
            throw TunDeviceException.fromSetIff(name, index, e);
        }
    }

    private static void closeQuietly(TunQueue queue, RuntimeException failure) {
        try {
            queue.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** The device's name as the kernel knows it. */
    public String name() {
        return name;
    }

    /** The MTU the device was created with. */
    public int mtu() {
        return mtu;
    }

    /**
     * The {@code TUNSETOFFLOAD} flags in effect ({@link TunOffloadControl#TCP_UDP_OFFLOADS}, or
     * {@link TunOffloadControl#TCP_OFFLOADS} on a kernel without USO), 0 when opened without offloads.
     */
    public int offloads() {
        return offloads;
    }

    /** The queues, in attach order: queue k is for lane k. */
    public List<TunQueue> queues() {
        return queues;
    }

    /** Queue {@code index}. */
    public TunQueue queue(int index) {
        return queues.get(index);
    }

    /**
     * Closes every queue, which removes the device. Call it after the lanes stopped using the queues
     * (an io_uring read still in flight keeps the device alive until it completes).
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (TunQueue queue : queues) {
            try {
                queue.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "TunDevice[" + name + ", " + queues.size() + " queues, mtu " + mtu + "]";
    }
}
