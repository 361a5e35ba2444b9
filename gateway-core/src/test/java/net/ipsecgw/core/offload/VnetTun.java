package net.ipsecgw.core.offload;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import net.ipsecgw.natt.sys.Syscalls;

/**
 * A single-queue TUN device attached with {@code IFF_TUN | IFF_NO_PI | IFF_VNET_HDR}, non-blocking, for
 * tests: what the gateway's device opener will do once it sets the flag. Confined to the test thread.
 */
final class VnetTun {
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN =
            variadic("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), 2);
    private static final MethodHandle IOCTL = variadic(
            "ioctl",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            2);
    private static final FunctionDescriptor IO = FunctionDescriptor.of(
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
    private static final MethodHandle READ = Syscalls.downcall("read", IO);
    private static final MethodHandle WRITE = Syscalls.downcall("write", IO);
    private static final MethodHandle CLOSE =
            Syscalls.downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Syscalls.newErrnoState(arena);
    private final MemorySegment io = arena.allocate(1 << 17, 64);
    private final int fd;

    private static MethodHandle variadic(String name, FunctionDescriptor descriptor, int firstVariadic) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().find(name).orElseThrow(),
                descriptor,
                Linker.Option.captureCallState("errno"),
                Linker.Option.firstVariadicArg(firstVariadic));
    }

    private VnetTun(int fd) {
        this.fd = fd;
    }

    /** Creates device {@code name} in the calling thread's network namespace. */
    static VnetTun open(String name) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Syscalls.newErrnoState(a);
            int fd = (int) OPEN.invokeExact(err, a.allocateFrom("/dev/net/tun"), O_RDWR | O_NONBLOCK | O_CLOEXEC);
            Syscalls.check(fd, err, "open(/dev/net/tun)");
            MemorySegment ifreq = a.allocate(40, 8);
            byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(bytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, bytes.length);
            ifreq.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TUN | IFF_NO_PI | TunOffloadControl.IFF_VNET_HDR));
            int result = (int) IOCTL.invokeExact(err, fd, TUNSETIFF, ifreq);
            Syscalls.check(result, err, "ioctl(TUNSETIFF)");
            return new VnetTun(fd);
        }
    }

    int fd() {
        return fd;
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

    void close() throws Throwable {
        int result = (int) CLOSE.invokeExact(errno, fd);
        arena.close();
        Syscalls.check(result, errno, "close(tun)");
    }
}
