package net.ipsecgw.core.lane;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The lanes' event loops: lane {@code k} is one single-threaded Netty {@link IoEventLoop} whose thread
 * is named {@code lane-<k>} and pinned to {@code cpus.get(k)} before it runs anything.
 *
 * <p>One single-thread {@link MultiThreadIoEventLoopGroup} per lane, rather than one group of N:
 * Netty's group starts its threads lazily in whatever order tasks reach them, so a group-wide thread
 * factory cannot know which child it is creating a thread for; with one group per lane, the factory
 * knows its lane and CPU, the pin happens on the thread itself before the loop's first task, and a
 * lane's loop is addressed by index, never by round-robin {@code next()} (a lane's sockets, TUN queue
 * and SAs must all live on that one loop).
 *
 * <p>Tasks submitted to a lane (by the control plane: install an SA, publish a snapshot) must be
 * short: Netty 4.2 runs queued tasks for up to {@code io.netty.eventLoop.maxTaskProcessingQuantumMs}
 * (default 1000 ms, at least 100) before it polls I/O again, and io_uring completions (TUN writes
 * included) are only reaped when it does.
 *
 * <p>Thread-safe: immutable after {@link #start}; {@link #close()} may be called from any thread but
 * not from a lane thread (it waits for the lanes to terminate).
 */
public final class LaneEventLoops implements AutoCloseable {
    private static final long START_TIMEOUT_SECONDS = 10;
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 10;
    private static final long QUIET_PERIOD_MILLIS = 100;

    private final LaneTransport transport;
    private final List<Integer> cpus;
    private final List<MultiThreadIoEventLoopGroup> groups;
    private final List<IoEventLoop> loops;

    private LaneEventLoops(LaneTransport transport, List<Integer> cpus, List<MultiThreadIoEventLoopGroup> groups) {
        this.transport = transport;
        this.cpus = List.copyOf(cpus);
        this.groups = List.copyOf(groups);
        this.loops = groups.stream().map(MultiThreadIoEventLoopGroup::next).toList();
    }

    /** {@link #start(LaneTransport, List)} on the default transport, {@link LaneTransport#EPOLL}. */
    public static LaneEventLoops start(List<Integer> cpus) {
        return start(LaneTransport.EPOLL, cpus);
    }

    /**
     * Starts one pinned event loop per entry of {@code cpus} (lane k on CPU {@code cpus.get(k)}) and
     * returns once every lane thread runs on its CPU.
     *
     * @throws IllegalStateException when the transport is unavailable (naming Netty's reason) or a
     *     lane could not be pinned (e.g. its CPU is offline); no thread is left running then
     * @throws IllegalArgumentException for an empty or duplicate CPU list
     */
    public static LaneEventLoops start(LaneTransport transport, List<Integer> cpus) {
        requireDistinct(cpus);
        IoHandlerFactory ioHandlers = transport.ioHandlerFactory();
        List<MultiThreadIoEventLoopGroup> groups = new ArrayList<>(cpus.size());
        try {
            for (int lane = 0; lane < cpus.size(); lane++) {
                LaneThreadFactory threads = new LaneThreadFactory(lane, cpus.get(lane));
                MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, threads, ioHandlers);
                groups.add(group);
                awaitPinned(group.next(), threads);
            }
            return new LaneEventLoops(transport, cpus, groups);
        } catch (RuntimeException e) {
            shutdown(groups);
            throw e;
        }
    }

    private static void requireDistinct(List<Integer> cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("at least one lane (one CPU) is needed");
        }
        if (new HashSet<>(cpus).size() != cpus.size()) {
            throw new IllegalArgumentException("each lane needs its own CPU, but the list repeats one: " + cpus);
        }
    }

    private static void awaitPinned(IoEventLoop loop, LaneThreadFactory threads) {
        try {
            // The first task starts the thread; it runs after the pin, on the lane thread itself.
            loop.submit(threads::checkPinned).get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting a lane", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("a lane thread did not start within " + START_TIMEOUT_SECONDS + " s", e);
        }
    }

    /** Number of lanes. */
    public int laneCount() {
        return loops.size();
    }

    /** Lane {@code lane}'s event loop: register the lane's sockets and TUN queue here. */
    public IoEventLoop eventLoop(int lane) {
        return loops.get(lane);
    }

    /** The CPU lane {@code lane} is pinned to. */
    public int cpu(int lane) {
        return cpus.get(lane);
    }

    /** The transport every lane runs on. */
    public LaneTransport transport() {
        return transport;
    }

    /**
     * Shuts every lane down (a 100 ms quiet period, see below) and waits for the threads to end.
     * Handles still registered are closed by Netty on the lane thread. Idempotent.
     */
    @Override
    public void close() {
        shutdown(groups);
    }

    private static void shutdown(List<MultiThreadIoEventLoopGroup> groups) {
        // A quiet period of 0 races in Netty 4.2.18: when the shutdown request lands while the loop
        // runs tasks, confirmShutdown() ends the loop before it calls IoHandler.prepareToDestroy(),
        // so registered handles are never closed (an io_uring read keeps its buffer forever). Any
        // non-zero quiet period makes the loop turn once more, and that turn closes them.
        groups.forEach(g -> g.shutdownGracefully(
                QUIET_PERIOD_MILLIS, TimeUnit.SECONDS.toMillis(SHUTDOWN_TIMEOUT_SECONDS), TimeUnit.MILLISECONDS));
        for (MultiThreadIoEventLoopGroup group : groups) {
            if (!group.terminationFuture().awaitUninterruptibly(2 * SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(
                        "a lane did not terminate within " + 2 * SHUTDOWN_TIMEOUT_SECONDS + " s");
            }
        }
    }

    @Override
    public String toString() {
        return "LaneEventLoops[" + transport + ", CPUs " + cpus + "]";
    }
}
