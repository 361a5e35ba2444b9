package net.ipsecgw.core.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import net.ipsecgw.natt.sys.SyscallException;
import net.ipsecgw.natt.sys.Syscalls;

/**
 * Pins the calling thread to one CPU with {@code sched_setaffinity(2)} and reads the kernel's view of
 * a thread's allowed CPUs back from {@code /proc/thread-self/status}.
 *
 * <p>A lane is one CPU, one thread: its event loop thread calls {@link #pinCurrentThread(int)} once,
 * before it runs any I/O, so the kernel's RSS, the reuseport steering and the TUN queue of that lane
 * all meet the same CPU's caches.
 *
 * <p>Thread-safe and stateless; every method acts on (or reads) the <em>calling</em> thread only.
 */
public final class CpuAffinity {
    private static final int EINVAL = 22;
    private static final Path ONLINE_CPUS = Path.of("/sys/devices/system/cpu/online");
    private static final Path THREAD_STATUS = Path.of("/proc/thread-self/status");
    private static final String ALLOWED_LIST_KEY = "Cpus_allowed_list:";

    /** {@code int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)}. */
    private static final MethodHandle SCHED_SETAFFINITY = Syscalls.downcall(
            "sched_setaffinity",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    private CpuAffinity() {}

    /**
     * Restricts the calling platform thread to {@code cpu}.
     *
     * @throws IllegalArgumentException when {@code cpu} is negative, offline or does not exist (the
     *     kernel's EINVAL), naming the CPU and the online set
     * @throws IllegalStateException when called from a virtual thread (its carrier is not ours to pin)
     * @throws SyscallException for any other failure (e.g. EPERM from a cpuset)
     */
    public static void pinCurrentThread(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("CPU " + cpu + " does not exist: CPU numbers start at 0");
        }
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a virtual thread cannot be pinned to CPU " + cpu);
        }
        try (Arena arena = Arena.ofConfined()) {
            // cpu_set_t is an array of unsigned longs, bit n of word n/64 standing for CPU n; the kernel
            // accepts any size that is a multiple of the word size.
            long bytes = (cpu / Long.SIZE + 1L) * Long.BYTES;
            MemorySegment mask = arena.allocate(bytes, Long.BYTES);
            mask.setAtIndex(ValueLayout.JAVA_LONG, cpu / Long.SIZE, 1L << (cpu % Long.SIZE));
            MemorySegment errno = Syscalls.newErrnoState(arena);
            int result = (int) SCHED_SETAFFINITY.invokeExact(errno, 0, bytes, mask);
            if (result < 0) {
                throw failure(cpu, Syscalls.errno(errno));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setaffinity downcall failed", t);
        }
    }

    private static RuntimeException failure(int cpu, int errno) {
        SyscallException cause = new SyscallException("sched_setaffinity(CPU " + cpu + ")", errno);
        if (errno == EINVAL) {
            return new IllegalArgumentException(
                    "CPU " + cpu + " is offline or does not exist (online CPUs: " + toCpuList(onlineCpus()) + ")",
                    cause);
        }
        return cause;
    }

    /** The CPUs the calling thread may run on, as the kernel reports them ({@code Cpus_allowed_list}). */
    public static BitSet currentThreadCpus() {
        try {
            for (String line : Files.readAllLines(THREAD_STATUS)) {
                if (line.startsWith(ALLOWED_LIST_KEY)) {
                    return parseCpuList(line.substring(ALLOWED_LIST_KEY.length()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + THREAD_STATUS, e);
        }
        throw new IllegalStateException(THREAD_STATUS + " has no " + ALLOWED_LIST_KEY + " line");
    }

    /** The CPUs that are online now ({@code /sys/devices/system/cpu/online}). */
    public static BitSet onlineCpus() {
        try {
            return parseCpuList(Files.readString(ONLINE_CPUS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ONLINE_CPUS, e);
        }
    }

    /** Parses the kernel's CPU list format ({@code "0-3,8,10-11"}); blank means no CPU. */
    public static BitSet parseCpuList(String list) {
        BitSet cpus = new BitSet();
        String trimmed = list.strip();
        if (trimmed.isEmpty()) {
            return cpus;
        }
        for (String range : trimmed.split(",")) {
            int dash = range.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1));
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("not a CPU range: '" + range + "' in '" + trimmed + "'");
            }
            cpus.set(first, last + 1);
        }
        return cpus;
    }

    /** Formats CPUs in the kernel's list format, e.g. {@code "0-3,8"}; the empty set is {@code ""}. */
    public static String toCpuList(BitSet cpus) {
        StringBuilder out = new StringBuilder();
        for (int first = cpus.nextSetBit(0); first >= 0; first = cpus.nextSetBit(first)) {
            int end = cpus.nextClearBit(first);
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(first);
            if (end - 1 > first) {
                out.append('-').append(end - 1);
            }
            first = end;
        }
        return out.toString();
    }
}
