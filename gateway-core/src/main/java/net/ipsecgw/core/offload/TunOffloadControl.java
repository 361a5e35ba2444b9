package net.ipsecgw.core.offload;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import net.ipsecgw.natt.sys.SyscallException;
import net.ipsecgw.natt.sys.Syscalls;

/**
 * The TUN ioctls ({@code include/uapi/linux/if_tun.h}) that turn on offloads for a queue descriptor
 * already attached with {@code TUNSETIFF(... | IFF_VNET_HDR)}: {@code TUNSETVNETHDRSZ} (the size of
 * the header before each packet, {@link VirtioNetHeader#SIZE}) and {@code TUNSETOFFLOAD} (which
 * checksum and segmentation work the kernel may leave to user space: with {@link #TUN_F_CSUM},
 * {@link #TUN_F_TSO4} and {@link #TUN_F_TSO6} reads return TCP super-packets of up to 64 KB, and writes
 * may carry them; with {@link #TUN_F_USO4} and {@link #TUN_F_USO6} the same holds for UDP super-packets,
 * {@code UDP_SEGMENT} sends, on kernels from 6.2). {@code IFF_VNET_HDR} itself can only be given to
 * {@code TUNSETIFF}, so the device's opener has to set it; {@link #vnetHeaderEnabled(int)} checks it with
 * {@code TUNGETIFF}.
 *
 * <p>Both settings belong to the device, not the queue: setting them through one queue's descriptor
 * applies to all. Stateless; call from any thread, typically once while setting the device up.
 */
public final class TunOffloadControl {
    /** {@code IFF_VNET_HDR}: the TUNSETIFF flag that puts a virtio_net_hdr before every packet. */
    public static final short IFF_VNET_HDR = 0x4000;

    /** The kernel may hand over packets with a partial checksum (required by every TSO flag). */
    public static final int TUN_F_CSUM = 0x01;
    /** TCP over IPv4 super-packets. */
    public static final int TUN_F_TSO4 = 0x02;
    /** TCP over IPv6 super-packets. */
    public static final int TUN_F_TSO6 = 0x04;
    /** TSO with ECN (CWR set on the super-packet). */
    public static final int TUN_F_TSO_ECN = 0x08;
    /** UDP segmentation over IPv4 (kernel 6.2 and later). */
    public static final int TUN_F_USO4 = 0x20;
    /** UDP segmentation over IPv6 (kernel 6.2 and later). */
    public static final int TUN_F_USO6 = 0x40;

    /** Checksum offload and TCP segmentation both ways: what {@link #enableTcpOffload(int)} sets. */
    public static final int TCP_OFFLOADS = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
    /**
     * {@link #TCP_OFFLOADS} and UDP segmentation both ways: what {@link #enableOffload(int)} tries first.
     * The kernel accepts USO4 only together with USO6 (EINVAL otherwise).
     */
    public static final int TCP_UDP_OFFLOADS = TCP_OFFLOADS | TUN_F_USO4 | TUN_F_USO6;

    private static final int EINVAL = 22;

    /** {@code _IOW('T', 208, unsigned int)}; the argument is the flag value itself, not a pointer. */
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code _IOR('T', 210, unsigned int)}, filling a {@code struct ifreq}. */
    private static final long TUNGETIFF = 0x800454d2L;
    /** {@code _IOR('T', 215, int)}. */
    private static final long TUNGETVNETHDRSZ = 0x800454d7L;
    /** {@code _IOW('T', 216, int)}, with a pointer to the int. */
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;

    private static final int IFREQ_SIZE = 40;
    private static final int IFREQ_FLAGS = 16;

    private static final MethodHandle IOCTL_POINTER = ioctl(ValueLayout.ADDRESS);
    private static final MethodHandle IOCTL_VALUE = ioctl(ValueLayout.JAVA_LONG);

    private TunOffloadControl() {}

    private static MethodHandle ioctl(ValueLayout argument) {
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find("ioctl").orElseThrow();
        return linker.downcallHandle(
                symbol,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, argument),
                Linker.Option.captureCallState("errno"),
                Linker.Option.firstVariadicArg(2));
    }

    /**
     * Lets the kernel pass TCP super-packets with partial checksums both ways: header size
     * {@link VirtioNetHeader#SIZE}, then {@link #TCP_OFFLOADS}. The gateway itself uses
     * {@link #enableOffload(int)}, which adds UDP where the kernel has it.
     *
     * @throws IllegalStateException when the descriptor was attached without {@link #IFF_VNET_HDR}
     * @throws SyscallException when the kernel refuses
     */
    public static void enableTcpOffload(int fd) {
        if (!vnetHeaderEnabled(fd)) {
            throw new IllegalStateException("fd " + fd + " was attached without IFF_VNET_HDR");
        }
        setVnetHeaderSize(fd, VirtioNetHeader.SIZE);
        setOffload(fd, TCP_OFFLOADS);
    }

    /**
     * Lets the kernel pass TCP and, where it can, UDP super-packets with partial checksums both ways:
     * header size {@link VirtioNetHeader#SIZE}, then {@link #TCP_UDP_OFFLOADS}; a kernel without USO
     * (before 6.2) refuses that with EINVAL, and then {@link #TCP_OFFLOADS} is set instead. Only with USO
     * in effect does the kernel accept {@link VirtioNetHeader#GSO_UDP_L4} packets written to the device.
     *
     * @return the flags in effect: {@link #TCP_UDP_OFFLOADS} or {@link #TCP_OFFLOADS}
     * @throws IllegalStateException when the descriptor was attached without {@link #IFF_VNET_HDR}
     * @throws SyscallException when the kernel refuses even TCP offloads
     */
    public static int enableOffload(int fd) {
        if (!vnetHeaderEnabled(fd)) {
            throw new IllegalStateException("fd " + fd + " was attached without IFF_VNET_HDR");
        }
        setVnetHeaderSize(fd, VirtioNetHeader.SIZE);
        try {
            setOffload(fd, TCP_UDP_OFFLOADS);
            return TCP_UDP_OFFLOADS;
        } catch (SyscallException e) {
            if (e.errno() != EINVAL) {
                throw e;
            }
        }
        setOffload(fd, TCP_OFFLOADS);
        return TCP_OFFLOADS;
    }

    /** Whether {@code flags} (as returned by {@link #enableOffload(int)}) include UDP segmentation both ways. */
    public static boolean udpSegmentation(int flags) {
        return (flags & (TUN_F_USO4 | TUN_F_USO6)) == (TUN_F_USO4 | TUN_F_USO6);
    }

    /** {@code flags} as words for logs: {@code "csum tso4 tso6 uso4 uso6"}, {@code "none"} for 0. */
    public static String describe(int flags) {
        if (flags == 0) {
            return "none";
        }
        String[] names = {"csum", "tso4", "tso6", "tso_ecn", "ufo", "uso4", "uso6"};
        StringBuilder out = new StringBuilder();
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & (1 << bit)) != 0) {
                out.append(out.isEmpty() ? "" : " ")
                        .append(bit < names.length ? names[bit] : "0x" + Integer.toHexString(1 << bit));
            }
        }
        return out.toString();
    }

    /** {@code TUNSETOFFLOAD(flags)}; 0 turns every offload off again. */
    public static void setOffload(int fd, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Syscalls.newErrnoState(arena);
            int result = (int) IOCTL_VALUE.invokeExact(errno, fd, TUNSETOFFLOAD, (long) flags);
            Syscalls.check(result, errno, "ioctl(TUNSETOFFLOAD, 0x" + Integer.toHexString(flags) + ")");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl downcall failed", t);
        }
    }

    /** {@code TUNSETVNETHDRSZ(size)}; the kernel accepts sizes from 10 (struct virtio_net_hdr) up. */
    public static void setVnetHeaderSize(int fd, int size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocateFrom(ValueLayout.JAVA_INT, size);
            pointerIoctl(arena, fd, TUNSETVNETHDRSZ, value, "ioctl(TUNSETVNETHDRSZ, " + size + ")");
        }
    }

    /** {@code TUNGETVNETHDRSZ}: the header size in use (10 unless changed). */
    public static int vnetHeaderSize(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            pointerIoctl(arena, fd, TUNGETVNETHDRSZ, value, "ioctl(TUNGETVNETHDRSZ)");
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Whether the queue was attached with {@link #IFF_VNET_HDR} ({@code TUNGETIFF}). */
    public static boolean vnetHeaderEnabled(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifreq = arena.allocate(IFREQ_SIZE, 8);
            pointerIoctl(arena, fd, TUNGETIFF, ifreq, "ioctl(TUNGETIFF)");
            return (ifreq.get(ValueLayout.JAVA_SHORT, IFREQ_FLAGS) & IFF_VNET_HDR) != 0;
        }
    }

    private static void pointerIoctl(Arena arena, int fd, long request, MemorySegment arg, String what) {
        try {
            MemorySegment errno = Syscalls.newErrnoState(arena);
            int result = (int) IOCTL_POINTER.invokeExact(errno, fd, request, arg);
            Syscalls.check(result, errno, what);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl downcall failed", t);
        }
    }
}
