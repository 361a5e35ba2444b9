package net.ipsecgw.core.control;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.esp.EspCipherSuite;
import net.ipsecgw.esp.KeyMaterial;
import net.ipsecgw.esp.SaLifetime;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * What one Child SA install or removal costs {@link LaneDataPlane} with many pairs installed: lanes on
 * real event loops (NIO, sockets replaced by embedded channels), tunnels of one fallback and one
 * per-CPU pair per lane each, then single per-CPU pairs installed into random tunnels and removed
 * again, one at a time, each awaited. Reports per change the control loop's CPU time, the lanes' CPU
 * time (summed), and the latency until the returned stage completed; then a burst of 100 installs
 * issued in one control-loop task.
 *
 * <pre>
 *   ./gw mvn -q -pl gateway-core -am -DskipTests install
 *   ./gw mvn -q -pl gateway-core dependency:build-classpath -Dmdep.includeScope=test \
 *       -Dmdep.outputFile=target/bench-classpath.txt
 *   ./gw java -cp gateway-core/target/test-classes:gateway-core/target/classes:$(cat gateway-core/target/bench-classpath.txt) \
 *       net.ipsecgw.core.control.LaneDataPlaneBenchmark [lanes] [pairs...]
 * </pre>
 *
 * Defaults: 4 lanes; 100, 500 and 1000 pairs. {@code benchmarks/table-rebuild.sh} runs exactly this.
 */
public final class LaneDataPlaneBenchmark {
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.2", 4500);
    private static final int CHANGES = 400;
    private static final int BURST = 100;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final int laneCount;
    private final List<MultiThreadIoEventLoopGroup> groups = new ArrayList<>();
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Long> laneThreads = new ArrayList<>();
    private final DefaultEventLoop control = new DefaultEventLoop();
    private final long controlThread;
    private final Random random = new Random(42);
    private LaneDataPlane dataPlane;
    private long nextId = 1;

    private LaneDataPlaneBenchmark(int laneCount) throws Exception {
        this.laneCount = laneCount;
        for (int k = 0; k < laneCount; k++) {
            MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            groups.add(group);
            Lane lane = new Lane(k, group.next());
            lanes.add(lane);
            laneThreads.add(lane.eventLoop()
                    .submit(() -> Thread.currentThread().threadId())
                    .get());
        }
        controlThread = control.submit(() -> Thread.currentThread().threadId()).get();
    }

    public static void main(String[] args) throws Exception {
        int laneCount = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int[] sizes = args.length > 1
                ? Arrays.stream(args, 1, args.length)
                        .mapToInt(Integer::parseInt)
                        .toArray()
                : new int[] {100, 500, 1000};
        LaneDataPlaneBenchmark bench = new LaneDataPlaneBenchmark(laneCount);
        try {
            System.out.printf(
                    "%d lanes; tunnels of 1 fallback + %d per-CPU pairs; %d single changes, then a burst of"
                            + " %d installs in one control-loop task%n",
                    laneCount, laneCount, CHANGES, BURST);
            bench.run(1000, false); // warm-up
            System.out.printf(
                    "%6s %8s | %14s %14s %14s | %16s%n",
                    "pairs", "tunnels", "control us/op", "lanes us/op", "latency p50 us", "burst control us");
            for (int size : sizes) {
                bench.run(size, true);
            }
        } finally {
            bench.close();
        }
    }

    private void run(int pairs, boolean print) throws Exception {
        dataPlane = new LaneDataPlane(
                lanes,
                control,
                (k, multiport) -> new EmbeddedChannel(),
                new int[0],
                4500,
                Duration.ZERO,
                List.of(),
                IkeSender.NONE,
                new SecureRandom());
        int tunnels = Math.max(1, pairs / (laneCount + 1));
        List<CompletionStage<Void>> setup = new ArrayList<>();
        for (int t = 0; t < tunnels; t++) {
            String name = "t" + t;
            int tunnel = t;
            setup.add(onControl(() -> dataPlane.install(spec(name, tunnel, ChildSaSpec.FALLBACK))));
            for (int k = 0; k < laneCount; k++) {
                int lane = k;
                setup.add(onControl(() -> dataPlane.install(spec(name, tunnel, lane))));
            }
        }
        for (CompletionStage<Void> stage : setup) {
            stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        long[] latencies = new long[2 * CHANGES];
        long control0 = THREADS.getThreadCpuTime(controlThread);
        long lanes0 = laneCpu();
        for (int i = 0; i < CHANGES; i++) {
            int tunnel = random.nextInt(tunnels);
            int lane = random.nextInt(laneCount);
            long start = System.nanoTime();
            ChildSaSpec extra = onControl(() -> spec("t" + tunnel, tunnel, lane));
            onControl(() -> dataPlane.install(extra)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            latencies[2 * i] = System.nanoTime() - start;
            start = System.nanoTime();
            onControl(() -> dataPlane.remove(extra.id())).toCompletableFuture().get(10, TimeUnit.SECONDS);
            latencies[2 * i + 1] = System.nanoTime() - start;
        }
        long controlNanos = THREADS.getThreadCpuTime(controlThread) - control0;
        long laneNanos = laneCpu() - lanes0;
        Arrays.sort(latencies);

        long burst0 = THREADS.getThreadCpuTime(controlThread);
        CompletionStage<Void> burst = onControl(() -> {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                int tunnel = random.nextInt(tunnels);
                all.add(dataPlane
                        .install(spec("t" + tunnel, tunnel, random.nextInt(laneCount)))
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        });
        burst.toCompletableFuture().get(60, TimeUnit.SECONDS);
        long burstNanos = THREADS.getThreadCpuTime(controlThread) - burst0;
        if (print) {
            System.out.printf(
                    "%6d %8d | %14.1f %14.1f %14.1f | %16.1f%n",
                    tunnels * (laneCount + 1),
                    tunnels,
                    controlNanos / 1e3 / (2 * CHANGES),
                    laneNanos / 1e3 / (2 * CHANGES),
                    latencies[latencies.length / 2] / 1e3,
                    burstNanos / 1e3 / BURST);
        }
        // Empty the data plane's lanes for the next size.
        onControl(() -> {
                    for (long id = 1; id < nextId; id++) {
                        dataPlane.remove(id);
                    }
                    return dataPlane.publish();
                })
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    private long laneCpu() {
        long sum = 0;
        for (long id : laneThreads) {
            sum += THREADS.getThreadCpuTime(id);
        }
        return sum;
    }

    /** A pair of tunnel {@code name} (selectors 10.(tunnel).0.0/16 to 172.16.(tunnel).0/24) on {@code lane}. */
    private ChildSaSpec spec(String name, int tunnel, int lane) {
        int spi = dataPlane.allocateSpi(lane == ChildSaSpec.FALLBACK ? 0 : lane);
        byte[] key = new byte[EspCipherSuite.AES_128_GCM_16.keyMaterialLength()];
        random.nextBytes(key);
        return new ChildSaSpec(
                nextId++,
                name,
                lane,
                spi,
                random.nextInt() | 0x1000,
                EspCipherSuite.AES_128_GCM_16,
                KeyMaterial.of(key),
                KeyMaterial.of(key),
                false,
                64,
                SaLifetime.UNLIMITED,
                List.of(ts(
                        "10." + (tunnel >> 8 & 0xFF) + "." + (tunnel & 0xFF) + ".0",
                        "10." + (tunnel >> 8 & 0xFF) + "." + (tunnel & 0xFF) + ".255")),
                List.of(ts(
                        "172." + (16 + (tunnel >> 8 & 0xF)) + "." + (tunnel & 0xFF) + ".0",
                        "172." + (16 + (tunnel >> 8 & 0xF)) + "." + (tunnel & 0xFF) + ".255")),
                PEER,
                false,
                true);
    }

    private static TsRange ts(String start, String end) {
        try {
            return new TsRange(InetAddress.getByName(start), InetAddress.getByName(end), 0, 0, 65535);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private <T> T onControl(Callable<T> task) throws Exception {
        return control.submit(task).get(30, TimeUnit.SECONDS);
    }

    private void close() {
        groups.forEach(g -> g.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly());
        control.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
