package net.ipsecgw.core.lane;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.BitSet;
import java.util.concurrent.ThreadFactory;
import net.ipsecgw.core.linux.CpuAffinity;

/**
 * Creates lane {@code k}'s event loop thread: named {@code lane-<k>}, pinned to its CPU as the first
 * thing it does, before Netty's loop runs any task or I/O.
 *
 * <p>A pin failure does not stop the thread (Netty's executor expects its thread to run the loop); it
 * is recorded and reported by {@link #checkPinned()}, which {@link LaneEventLoops#start} runs on the
 * lane thread before handing the loop out. Thread-safe: the failure field is written by the lane
 * thread before it runs any task and read by tasks on that same thread.
 */
final class LaneThreadFactory implements ThreadFactory {
    private final int lane;
    private final int cpu;
    private volatile RuntimeException pinFailure;

    LaneThreadFactory(int lane, int cpu) {
        this.lane = lane;
        this.cpu = cpu;
    }

    @Override
    public Thread newThread(Runnable loop) {
        // FastThreadLocalThread keeps Netty's thread-local fast path (buffer pool caches, recyclers).
        return new FastThreadLocalThread(() -> pinThenRun(loop), "lane-" + lane);
    }

    private void pinThenRun(Runnable loop) {
        try {
            CpuAffinity.pinCurrentThread(cpu);
        } catch (RuntimeException e) {
            pinFailure = e;
        }
        loop.run();
    }

    /** Runs on the lane thread: throws when the pin failed or the kernel reports other CPUs. */
    void checkPinned() {
        RuntimeException failure = pinFailure;
        if (failure != null) {
            throw new IllegalStateException("lane " + lane + " could not be pinned to CPU " + cpu, failure);
        }
        BitSet allowed = CpuAffinity.currentThreadCpus();
        if (allowed.cardinality() != 1 || !allowed.get(cpu)) {
            throw new IllegalStateException("lane " + lane + " should run on CPU " + cpu + " only, but the kernel "
                    + "allows CPUs " + CpuAffinity.toCpuList(allowed));
        }
    }
}
