package net.ipsecgw.core.lane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.IoEventLoop;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.ipsecgw.core.linux.CpuAffinity;
import org.junit.jupiter.api.Test;

/** The lane event loop contract, run once per transport (see the subclasses). */
abstract class AbstractLaneEventLoopsTest {

    abstract LaneTransport transport();

    static List<Integer> onlineCpus() {
        BitSet online = CpuAffinity.onlineCpus();
        List<Integer> cpus = new ArrayList<>();
        online.stream().forEach(cpus::add);
        return cpus;
    }

    @Test
    void eachLaneThreadIsNamedForItsLaneAndPinnedToItsCpu() throws Exception {
        // Lane k on the k-th online CPU from the end: lane numbers and CPU numbers differ when possible.
        List<Integer> cpus = onlineCpus().reversed();
        try (LaneEventLoops lanes = LaneEventLoops.start(transport(), cpus)) {
            assertEquals(cpus.size(), lanes.laneCount());
            for (int lane = 0; lane < lanes.laneCount(); lane++) {
                IoEventLoop loop = lanes.eventLoop(lane);
                String name =
                        loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
                BitSet allowed = loop.submit(CpuAffinity::currentThreadCpus).get(5, TimeUnit.SECONDS);
                assertEquals("lane-" + lane, name);
                assertEquals(String.valueOf(cpus.get(lane)), CpuAffinity.toCpuList(allowed));
                assertEquals(cpus.get(lane), lanes.cpu(lane));
            }
        }
    }

    @Test
    void eachLaneRunsOnTheRequestedTransport() throws Exception {
        try (LaneEventLoops lanes =
                LaneEventLoops.start(transport(), List.of(onlineCpus().getFirst()))) {
            IoEventLoop loop = lanes.eventLoop(0);
            Class<? extends io.netty.channel.IoHandle> handleType = transport() == LaneTransport.EPOLL
                    ? io.netty.channel.epoll.EpollIoHandle.class
                    : io.netty.channel.uring.IoUringIoHandle.class;
            assertTrue(loop.isCompatible(handleType), transport() + " lane accepts its own handles");
            assertEquals(transport(), lanes.transport());
        }
    }

    @Test
    void epollIsTheDefaultTransport() {
        try (LaneEventLoops lanes = LaneEventLoops.start(List.of(onlineCpus().getFirst()))) {
            assertEquals(LaneTransport.EPOLL, lanes.transport());
        }
    }

    @Test
    void theLaneStaysPinnedWhileItRunsTasks() throws Exception {
        int cpu = onlineCpus().getLast();
        try (LaneEventLoops lanes = LaneEventLoops.start(transport(), List.of(cpu))) {
            for (int i = 0; i < 50; i++) {
                int observed = lanes.eventLoop(0)
                        .submit(() -> CpuAffinity.currentThreadCpus().nextSetBit(0))
                        .get(5, TimeUnit.SECONDS);
                assertEquals(cpu, observed);
            }
        }
    }

    @Test
    void anOfflineCpuFailsTheStartNamingTheCpuAndLeavesNoLaneRunning() throws Exception {
        int absent = CpuAffinity.onlineCpus().length() + 1000;
        List<Integer> cpus = List.of(onlineCpus().getFirst(), absent);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> LaneEventLoops.start(transport(), cpus));
        assertEquals("lane 1 could not be pinned to CPU " + absent, e.getMessage());
        IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(cause.getMessage().contains("CPU " + absent + " is offline or does not exist"));
        assertTrue(laneThreadsEnd(), "no lane thread survives a failed start");
    }

    @Test
    void closeStopsEveryLaneThread() throws Exception {
        LaneEventLoops lanes = LaneEventLoops.start(transport(), onlineCpus());
        assertTrue(laneThreadsAlive());
        lanes.close();
        assertTrue(laneThreadsEnd());
        for (int lane = 0; lane < lanes.laneCount(); lane++) {
            assertTrue(lanes.eventLoop(lane).isTerminated());
        }
        lanes.close(); // idempotent
    }

    @Test
    void rejectsAnEmptyOrRepeatingCpuList() {
        assertThrows(IllegalArgumentException.class, () -> LaneEventLoops.start(transport(), List.of()));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LaneEventLoops.start(transport(), List.of(0, 0)));
        assertTrue(e.getMessage().contains("repeats"), e.getMessage());
    }

    /** Waits up to 5 s for the lane threads to exit: a terminated loop's thread is still unwinding. */
    private static boolean laneThreadsEnd() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (laneThreadsAlive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private static boolean laneThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("lane-"));
    }
}
