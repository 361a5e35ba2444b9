package net.ipsecgw.core.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import net.ipsecgw.natt.sys.SyscallException;
import net.ipsecgw.natt.sys.Syscalls;

/**
 * The few C library calls behind the TUN device and interface control: {@code open}, {@code close},
 * {@code socket} and {@code ioctl}. Each call captures errno in the same downcall (see {@link Syscalls}).
 *
 * <p>{@code open} and {@code ioctl} are variadic in C, so they are linked with
 * {@link Linker.Option#firstVariadicArg(int)}: the x86-64 and AArch64 conventions pass variadic
 * arguments differently from fixed ones, and a fixed-argument binding only works by accident.
 *
 * <p>Thread-safe: the handles are immutable and every call allocates its own errno segment.
 */
final class Libc {
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int E2BIG = 7;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** {@code int open(const char *path, int flags, ...)}, called without a mode (no O_CREAT). */
    private static final MethodHandle OPEN =
            variadic("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), 2);
    /** {@code int ioctl(int fd, unsigned long request, ...)} with one pointer argument. */
    private static final MethodHandle IOCTL = variadic(
            "ioctl",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            2);
    /** {@code int close(int fd)}. */
    private static final MethodHandle CLOSE =
            Syscalls.downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    /** {@code int socket(int domain, int type, int protocol)}. */
    private static final MethodHandle SOCKET = Syscalls.downcall(
            "socket",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Libc() {}

    private static MethodHandle variadic(String name, FunctionDescriptor descriptor, int firstVariadic) {
        MemorySegment symbol = LINKER.defaultLookup()
                .find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library has no symbol " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** Opens {@code path}; throws {@link SyscallException} with the kernel's errno on failure. */
    static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Syscalls.newErrnoState(arena);
            int fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path), flags);
            return Syscalls.check(fd, errno, "open(" + path + ")");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open downcall failed", t);
        }
    }

    /** Opens an AF_INET datagram socket, the usual handle for interface ioctls. */
    static int inetDatagramSocket() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Syscalls.newErrnoState(arena);
            int fd = (int) SOCKET.invokeExact(errno, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            return Syscalls.check(fd, errno, "socket(AF_INET, SOCK_DGRAM)");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("socket downcall failed", t);
        }
    }

    /** {@code ioctl(fd, request, arg)}; throws {@link SyscallException} naming {@code what} on failure. */
    static void ioctl(int fd, long request, MemorySegment arg, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Syscalls.newErrnoState(arena);
            int result = (int) IOCTL.invokeExact(errno, fd, request, arg);
            Syscalls.check(result, errno, what);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl downcall failed", t);
        }
    }

    /** Closes {@code fd}; a failure (EBADF, EINTR) is reported, since the fd is gone either way. */
    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Syscalls.newErrnoState(arena);
            int result = (int) CLOSE.invokeExact(errno, fd);
            Syscalls.check(result, errno, "close(" + fd + ")");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("close downcall failed", t);
        }
    }
}
