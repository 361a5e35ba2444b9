package net.ipsecgw.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import net.ipsecgw.natt.sys.SyscallException;
import org.junit.jupiter.api.Test;

class CpuAffinityTest {

    @Test
    void pinsAFreshThreadToEachOnlineCpuAndTheKernelReportsOnlyThatCpu() throws Exception {
        BitSet online = CpuAffinity.onlineCpus();
        assertTrue(online.cardinality() >= 1, "at least one CPU is online");
        for (int cpu = online.nextSetBit(0); cpu >= 0; cpu = online.nextSetBit(cpu + 1)) {
            int target = cpu;
            BitSet allowed = onFreshThread(() -> {
                CpuAffinity.pinCurrentThread(target);
                return CpuAffinity.currentThreadCpus();
            });
            assertEquals(BitSet.valueOf(new long[] {1L << target}).toString(), allowed.toString());
        }
    }

    @Test
    void pinningOneThreadLeavesOtherThreadsAlone() throws Exception {
        BitSet before = CpuAffinity.currentThreadCpus();
        onFreshThread(() -> {
            CpuAffinity.pinCurrentThread(CpuAffinity.onlineCpus().nextSetBit(0));
            return null;
        });
        assertEquals(before, CpuAffinity.currentThreadCpus());
    }

    @Test
    void rejectsANonexistentCpuNamingIt() {
        int absent = CpuAffinity.onlineCpus().length() + 1000;
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> onFreshThread(() -> {
                    CpuAffinity.pinCurrentThread(absent);
                    return null;
                }));
        IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(
                cause.getMessage().startsWith("CPU " + absent + " is offline or does not exist"), cause.getMessage());
        assertTrue(cause.getMessage().contains("online CPUs: " + CpuAffinity.toCpuList(CpuAffinity.onlineCpus())));
        assertEquals(
                22, assertInstanceOf(SyscallException.class, cause.getCause()).errno());
    }

    @Test
    void aFailedPinLeavesTheThreadsAffinityUnchanged() throws Exception {
        BitSet allowed = onFreshThread(() -> {
            BitSet before = CpuAffinity.currentThreadCpus();
            assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(4000));
            assertEquals(before, CpuAffinity.currentThreadCpus());
            return CpuAffinity.currentThreadCpus();
        });
        assertTrue(allowed.cardinality() >= 1);
    }

    @Test
    void rejectsANegativeCpu() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(-1));
        assertTrue(e.getMessage().contains("CPU -1"), e.getMessage());
    }

    @Test
    void refusesToPinAVirtualThread() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread virtual = Thread.ofVirtual().start(() -> {
            try {
                CpuAffinity.pinCurrentThread(0);
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        virtual.join();
        assertInstanceOf(IllegalStateException.class, failure.get());
    }

    @Test
    void parsesAndFormatsTheKernelsCpuListFormat() {
        BitSet cpus = CpuAffinity.parseCpuList(" 0-3,8,10-11\n");
        assertEquals("{0, 1, 2, 3, 8, 10, 11}", cpus.toString());
        assertEquals("0-3,8,10-11", CpuAffinity.toCpuList(cpus));
        assertEquals("", CpuAffinity.toCpuList(CpuAffinity.parseCpuList("")));
        assertEquals("5", CpuAffinity.toCpuList(CpuAffinity.parseCpuList("5")));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parseCpuList("3-1"));
        assertThrows(NumberFormatException.class, () -> CpuAffinity.parseCpuList("a-b"));
    }

    /** Runs {@code task} on a new platform thread, so pinning never touches the test runner's threads. */
    private static <T> T onFreshThread(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        thread.join();
        return result.get();
    }
}
