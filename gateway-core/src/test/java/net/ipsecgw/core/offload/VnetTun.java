package net.ipsecgw.core.offload;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import net.ipsecgw.core.linux.TunDevice;
import net.ipsecgw.core.linux.TunFdMode;
import net.ipsecgw.natt.sys.Syscalls;

/**
 * A single-queue TUN device opened the way the gateway opens it with offloads ({@link
 * TunDevice#open(String, int, int, TunFdMode, boolean)}: {@code IFF_VNET_HDR}, TSO and where the kernel
 * has it USO, non-blocking), or without any ({@link #plain(String)}), with plain reads and writes of
 * whole buffers for tests. Confined to the test thread.
 */
final class VnetTun {
    private static final int EAGAIN = 11;
    private static final FunctionDescriptor IO = FunctionDescriptor.of(
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
    private static final MethodHandle READ = Syscalls.downcall("read", IO);
    private static final MethodHandle WRITE = Syscalls.downcall("write", IO);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Syscalls.newErrnoState(arena);
    private final MemorySegment io = arena.allocate(1 << 17, 64);
    private final TunDevice device;
    private final int fd;

    private VnetTun(TunDevice device) {
        this.device = device;
        this.fd = device.queue(0).fd();
    }

    /** Creates device {@code name} in the calling thread's network namespace, as the gateway opens it. */
    static VnetTun open(String name) {
        return new VnetTun(TunDevice.open(name, 1, 1500, TunFdMode.NON_BLOCKING, true));
    }

    /** Creates device {@code name} without virtio header and offloads: the kernel segments and checksums for it. */
    static VnetTun plain(String name) {
        return new VnetTun(TunDevice.open(name, 1, 1500, TunFdMode.NON_BLOCKING, false));
    }

    int fd() {
        return fd;
    }

    /** The TUNSETOFFLOAD flags the device was given (0 for {@link #plain(String)}). */
    int offloads() {
        return device.offloads();
    }

    /** One read into {@code into}; returns its length, or -1 when nothing is waiting. */
    int read(byte[] into) throws Throwable {
        long n = (long) READ.invokeExact(errno, fd, io, io.byteSize());
        if (n < 0) {
            if (Syscalls.errno(errno) == EAGAIN) {
                return -1;
            }
            Syscalls.check((int) n, errno, "read(tun)");
        }
        MemorySegment.copy(io, ValueLayout.JAVA_BYTE, 0, into, 0, (int) n);
        return (int) n;
    }

    /** One write of {@code bytes[0, length)}. */
    void write(byte[] bytes, int length) throws Throwable {
        MemorySegment.copy(bytes, 0, io, ValueLayout.JAVA_BYTE, 0, length);
        long n = (long) WRITE.invokeExact(errno, fd, io, (long) length);
        Syscalls.check((int) n, errno, "write(tun)");
        if (n != length) {
            throw new IllegalStateException("short write " + n + " of " + length);
        }
    }

    void close() {
        device.close();
        arena.close();
    }
}
