package net.ipsecgw.natt.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Linux C library calls that Netty does not expose, bound once through the JDK's FFM API.
 *
 * <p>Every downcall captures {@code errno} in the same call, so a failure can be reported with the
 * kernel's reason ({@link SyscallException}) instead of a bare -1. Callers allocate the capture
 * segment with {@link #newErrnoState(Arena)} and pass it as the first argument of the handle
 * returned by {@link #downcall(String, FunctionDescriptor)}.
 *
 * <p>Thread-safe: the handles are immutable; each call site owns its own capture segment.
 */
public final class Syscalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private static final MethodHandle SETSOCKOPT = downcall(
            "setsockopt",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT));

    private static final MethodHandle GETSOCKOPT = downcall(
            "getsockopt",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS));

    private Syscalls() {}

    /** {@code getsockopt} of an {@code int} option. */
    public static int getsockoptInt(int fd, int level, int option, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = newErrnoState(arena);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, 4);
            int result;
            try {
                result = (int) GETSOCKOPT.invokeExact(errno, fd, level, option, value, length);
            } catch (Throwable t) {
                throw new IllegalStateException(what + ": downcall failed", t);
            }
            check(result, errno, what);
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * {@code setsockopt(fd, level, option, value, value.byteSize())}.
     *
     * @throws SyscallException naming {@code what} when the kernel refuses
     */
    public static void setsockopt(int fd, int level, int option, MemorySegment value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = newErrnoState(arena);
            int result;
            try {
                result = (int) SETSOCKOPT.invokeExact(errno, fd, level, option, value, (int) value.byteSize());
            } catch (Throwable t) {
                throw new IllegalStateException(what + ": downcall failed", t);
            }
            check(result, errno, what);
        }
    }

    /** {@code setsockopt} with an {@code int} value. */
    public static void setsockopt(int fd, int level, int option, int value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            setsockopt(fd, level, option, arena.allocateFrom(ValueLayout.JAVA_INT, value), what);
        }
    }

    /**
     * A downcall to the C library function {@code name} whose first Java argument is the errno
     * capture segment (see {@link #newErrnoState(Arena)}), followed by the function's own arguments.
     */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol =
                LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("C library has no symbol " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    /** A segment that receives {@code errno} from the downcalls made with it. */
    public static MemorySegment newErrnoState(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** The {@code errno} captured by the last downcall made with {@code state}. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** The C library's text for an errno value, e.g. "Operation not permitted". */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** Throws a {@link SyscallException} naming {@code what} when {@code result} is negative. */
    public static int check(int result, MemorySegment errnoState, String what) {
        if (result < 0) {
            throw new SyscallException(what, errno(errnoState));
        }
        return result;
    }
}
