package net.ipsecgw.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import net.ipsecgw.core.datapath.AcquireTrigger;
import net.ipsecgw.core.datapath.InboundActivity;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.PathDrop;
import net.ipsecgw.core.datapath.TunnelEntry;
import net.ipsecgw.core.datapath.TunnelLane;
import net.ipsecgw.core.red.GeneratedPacket;
import net.ipsecgw.core.red.TrafficGenerator;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.esp.DropReason;
import net.ipsecgw.esp.EspCipherSuite;
import net.ipsecgw.esp.EspSa;
import net.ipsecgw.esp.InboundSa;
import net.ipsecgw.esp.KeyMaterial;
import net.ipsecgw.esp.LifetimeListener;
import net.ipsecgw.esp.OutboundSa;
import net.ipsecgw.esp.SaLifetime;
import net.ipsecgw.esp.SaParameters;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.ChildSaUsage;
import net.ipsecgw.ike.dataplane.DataPlaneListener;
import net.ipsecgw.ike.dataplane.IkeSaPath;
import net.ipsecgw.ike.dataplane.TsRange;
import net.ipsecgw.natt.SpiAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drives {@link LaneDataPlane} as the IKE control plane will, on a control loop, over two real lanes
 * (each on its own event loop) whose sockets are embedded channels: SPIs steer to their lane and are
 * never reused while in use; fallback and per-CPU pairs land in the right lanes' tables, newer pairs
 * replace older ones for sending while the older inbound SAs stay until removed; traffic that has a
 * policy but no SA is dropped as {@link PathDrop#NO_SA} and acquired at most once a second per lane;
 * byte, packet and time limits reach the listener once each, after which the lane stops using the SA;
 * and usage sums over the lanes.
 */
class LaneDataPlaneTest {
    private static final int LANES = 2;
    private static final int SIZE = 256;
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.2", 4500);
    private static final int MANUAL_SPI = 0x2000;
    private static final Duration KEEPALIVE = Duration.ofMillis(50);

    private final List<MultiThreadIoEventLoopGroup> groups = new ArrayList<>();
    private final List<Lane> lanes = new ArrayList<>();
    private final List<EmbeddedChannel> natT = new ArrayList<>();
    private final List<EmbeddedChannel> sourcePort = new ArrayList<>();
    private final RecordingListener listener = new RecordingListener();
    private final List<Integer> scriptedSpis = new ArrayList<>();
    private DefaultEventLoop control;
    private LaneDataPlane dataPlane;
    private long nextId = 1;

    @BeforeEach
    void startLanes() throws Exception {
        control = new DefaultEventLoop();
        for (int k = 0; k < LANES; k++) {
            MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            groups.add(group);
            lanes.add(new Lane(k, group.next()));
            natT.add(new EmbeddedChannel());
            sourcePort.add(new EmbeddedChannel());
        }
        lanes.forEach(lane -> lane.startHousekeeping(TimeUnit.MILLISECONDS.toNanos(50)));
        dataPlane = new LaneDataPlane(
                lanes,
                control,
                (k, multiport) -> (multiport ? sourcePort : natT).get(k),
                new int[] {50001, 50002},
                4500,
                KEEPALIVE,
                List.of(manualTunnel()),
                IkeSender.NONE,
                new ScriptedRandom());
        onControl(() -> {
            dataPlane.listener(listener);
            return null;
        });
    }

    @AfterEach
    void stopLanes() {
        groups.forEach(g -> g.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly());
        control.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        natT.forEach(EmbeddedChannel::finishAndReleaseAll);
        sourcePort.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    // ---- SPIs ----

    @Test
    void allocatedSpisMapToTheirLaneAndAvoidTheReservedRange() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int lane = i % LANES;
            int spi = onControl(() -> dataPlane.allocateSpi(lane));
            assertEquals(lane, SpiAllocator.laneOf(spi, LANES));
            assertTrue(Integer.compareUnsigned(spi, 255) > 0, "not 0-255");
            assertTrue(seen.add(spi), "never twice");
        }
    }

    @Test
    void spisInUseByManualOrInstalledSasOrAllocatedAreNeverHandedOutAgainUntilFreed() throws Exception {
        int first = onControl(() -> dataPlane.allocateSpi(0));
        scriptedSpis.addAll(List.of(MANUAL_SPI, first, 0x3000));
        assertEquals(0x3000, onControl(() -> dataPlane.allocateSpi(0)), "the manual and allocated SPIs are skipped");

        onControl(() -> {
            dataPlane.releaseSpi(0x3000);
            return null;
        });
        scriptedSpis.addAll(List.of(0x3000));
        assertEquals(0x3000, onControl(() -> dataPlane.allocateSpi(0)), "a released SPI is free again");

        ChildSaSpec pair = perCpu(0, first, 0x9000, SaLifetime.UNLIMITED, false);
        await(onControl(() -> dataPlane.install(pair)));
        await(onControl(() -> dataPlane.remove(pair.id())));
        scriptedSpis.addAll(List.of(first));
        assertEquals(first, onControl(() -> dataPlane.allocateSpi(0)), "a removed pair's SPI is free again");
    }

    @Test
    void perCpuPairWhoseSpiTheKernelSteersElsewhereIsRefused() throws Exception {
        int laneOneSpi = onControl(() -> dataPlane.allocateSpi(1));
        CompletionStage<Void> refused =
                onControl(() -> dataPlane.install(perCpu(0, laneOneSpi, 0x9000, SaLifetime.UNLIMITED, false)));

        ExecutionException e = assertThrows(ExecutionException.class, () -> await(refused));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(
                e.getCause().getMessage().contains("to lane 1, not 0"),
                e.getCause().getMessage());
    }

    // ---- tables ----

    @Test
    void fallbackPairPutsItsInboundSaOnLaneSpiModNAndACopyOfItsOutboundSaOnEveryLane() throws Exception {
        int spi = onControl(() -> dataPlane.allocateSpi(1));
        ChildSaSpec fallback = fallback(spi, 0x5000, SaLifetime.UNLIMITED);
        await(onControl(() -> dataPlane.install(fallback)));

        assertNotNull(lanes.get(1).tables().sad().get(spi));
        assertNull(lanes.get(0).tables().sad().get(spi));
        assertNotNull(lanes.get(0).tables().sad().get(MANUAL_SPI), "the manual tunnel stays installed");
        TunnelLane lane0 = view(0);
        TunnelLane lane1 = view(1);
        for (int k = 0; k < LANES; k++) {
            TunnelLane view = view(k);
            assertNull(view.own());
            assertEquals(0x5000, view.fallback().sa().spi());
            assertSame(natT.get(k), view.fallback().channel(), "the fallback SA sends from the NAT-T port");
            assertEquals(PEER, view.fallback().peer());
        }
        assertNotSame(lane0.fallback().sa(), lane1.fallback().sa(), "each lane owns its copy");
    }

    @Test
    void perCpuPairWithMultiportSendsFromItsLanesSourcePortAndOtherLanesKeepTheFallback() throws Exception {
        await(onControl(() -> dataPlane.install(fallback(dataPlane.allocateSpi(0), 0x5000, SaLifetime.UNLIMITED))));
        int spi = onControl(() -> dataPlane.allocateSpi(0));
        await(onControl(() -> dataPlane.install(perCpu(0, spi, 0x5100, SaLifetime.UNLIMITED, true))));

        assertEquals(0x5100, view(0).own().sa().spi());
        assertSame(sourcePort.get(0), view(0).own().channel());
        assertNull(view(1).own());
        assertEquals(0x5000, view(1).outbound().spi());
        assertNotNull(lanes.get(0).tables().sad().get(spi));

        List<ChildSaStatus> status = dataPlane.childSas();
        assertEquals(2, status.size());
        ChildSaStatus perCpu =
                status.stream().filter(s -> s.lane() == 0).findFirst().orElseThrow();
        assertEquals(50001, perCpu.sourcePort());
        assertEquals(0, perCpu.inboundLane());
        ChildSaStatus shared = status.stream()
                .filter(s -> s.lane() == ChildSaSpec.FALLBACK)
                .findFirst()
                .orElseThrow();
        assertEquals(4500, shared.sourcePort());
    }

    @Test
    void newerPairReplacesTheOutboundSaWhileTheOlderInboundSaStaysUntilRemoved() throws Exception {
        int oldSpi = onControl(() -> dataPlane.allocateSpi(0));
        ChildSaSpec old = perCpu(0, oldSpi, 0x6000, SaLifetime.UNLIMITED, false);
        await(onControl(() -> dataPlane.install(old)));
        int newSpi = onControl(() -> dataPlane.allocateSpi(0));
        ChildSaSpec rekeyed = perCpu(0, newSpi, 0x6002, SaLifetime.UNLIMITED, false);
        await(onControl(() -> dataPlane.install(rekeyed)));

        assertEquals(0x6002, view(0).own().sa().spi(), "the newer pair sends");
        assertNotNull(lanes.get(0).tables().sad().get(oldSpi), "the older pair still receives");
        assertNotNull(lanes.get(0).tables().sad().get(newSpi));

        await(onControl(() -> dataPlane.remove(old.id())));
        assertNull(lanes.get(0).tables().sad().get(oldSpi));
        assertEquals(0x6002, view(0).own().sa().spi());
        assertEquals(ChildSaUsage.NONE, onControl(() -> dataPlane.usage(old.id())));
    }

    @Test
    void aPairWeAnsweredSendsOnlyOnceNoOlderPairOfItsLaneIsLeft() throws Exception {
        ChildSaSpec shared = fallback(onControl(() -> dataPlane.allocateSpi(1)), 0x5000, SaLifetime.UNLIMITED);
        await(onControl(() -> dataPlane.install(shared)));
        ChildSaSpec first = perCpu(0, onControl(() -> dataPlane.allocateSpi(0)), 0x6000, SaLifetime.UNLIMITED, false);
        await(onControl(() -> dataPlane.install(first)));
        // The peer's rekey of our pair, or an extra pair from a peer with more lanes than ours: its
        // initiator installs it only when our answer arrives.
        ChildSaSpec second = answered(0, onControl(() -> dataPlane.allocateSpi(0)), 0x6002);
        await(onControl(() -> dataPlane.install(second)));
        ChildSaSpec fallbackRekey = answered(ChildSaSpec.FALLBACK, onControl(() -> dataPlane.allocateSpi(1)), 0x5002);
        await(onControl(() -> dataPlane.install(fallbackRekey)));

        assertEquals(0x6000, view(0).own().sa().spi(), "the older pair goes on sending");
        assertEquals(0x5000, view(1).fallback().sa().spi(), "the older fallback pair goes on sending");
        assertNotNull(lanes.get(0).tables().sad().get(second.inboundSpi()), "the answered pair receives at once");
        assertNotNull(lanes.get(1).tables().sad().get(fallbackRekey.inboundSpi()));

        // A pair we initiate later sends at once.
        ChildSaSpec ours = perCpu(0, onControl(() -> dataPlane.allocateSpi(0)), 0x6004, SaLifetime.UNLIMITED, false);
        await(onControl(() -> dataPlane.install(ours)));
        assertEquals(0x6004, view(0).own().sa().spi());
        await(onControl(() -> dataPlane.remove(ours.id())));
        assertEquals(0x6000, view(0).own().sa().spi(), "back to the oldest pair");

        // The older pairs deleted: the answered ones take over.
        await(onControl(() -> dataPlane.remove(first.id())));
        assertEquals(0x6002, view(0).own().sa().spi());
        assertEquals(0x5000, view(0).fallback().sa().spi());
        await(onControl(() -> dataPlane.remove(shared.id())));
        for (int k = 0; k < LANES; k++) {
            assertEquals(0x5002, view(k).fallback().sa().spi(), "lane " + k);
        }
    }

    @Test
    void spdUsesThePairsNarrowedSelectorsInsteadOfThePolicy() throws Exception {
        onControl(() -> {
            dataPlane.installPolicy(
                    "t", List.of(ts("10.1.0.0", "10.1.255.255")), List.of(ts("10.2.0.0", "10.2.255.255")));
            return null;
        });
        settle();
        assertNotNull(lookup(0, "10.1.5.1", "10.2.5.1"), "the policy covers the /16s");

        ChildSaSpec narrowed = new ChildSaSpec(
                nextId++,
                "t",
                ChildSaSpec.FALLBACK,
                onControl(() -> dataPlane.allocateSpi(0)),
                0x7000,
                EspCipherSuite.AES_128_GCM_16,
                key(1),
                key(2),
                false,
                64,
                SaLifetime.UNLIMITED,
                List.of(ts("10.1.1.0", "10.1.1.255")),
                List.of(ts("10.2.1.0", "10.2.1.255")),
                PEER,
                false,
                true);
        await(onControl(() -> dataPlane.install(narrowed)));

        assertNull(lookup(0, "10.1.5.1", "10.2.5.1"), "outside the narrowed selectors");
        assertEquals("t", lookup(1, "10.1.1.5", "10.2.1.7").name());
    }

    @Test
    void removePolicyRemovesTheTunnelAndEveryPairOfIt() throws Exception {
        onControl(() -> {
            dataPlane.installPolicy(
                    "t", List.of(ts("10.1.0.0", "10.1.255.255")), List.of(ts("10.2.0.0", "10.2.255.255")));
            return null;
        });
        int spi = onControl(() -> dataPlane.allocateSpi(1));
        await(onControl(() -> dataPlane.install(perCpu(1, spi, 0x8000, SaLifetime.UNLIMITED, false))));
        await(onControl(() -> dataPlane.removePolicy("t")));

        for (Lane lane : lanes) {
            assertTrue(
                    lane.tables().spdTargets().stream().noneMatch(t -> t.name().equals("t")));
        }
        assertEquals(Set.of(), lanes.get(1).tables().sad().keySet());
        assertEquals(List.of(), dataPlane.childSas());
    }

    // ---- acquires ----

    @Test
    void policyWithoutSaDropsAsNoSaAndAcquiresAtMostOncePerSecondPerLane() throws Exception {
        onControl(() -> {
            dataPlane.installPolicy(
                    "t", List.of(ts("10.1.0.0", "10.1.255.255")), List.of(ts("10.2.0.0", "10.2.255.255")));
            return null;
        });
        await(onControl(() -> dataPlane.publish()));

        send(0, 50);
        send(1, 50);
        Thread.sleep(200);

        assertEquals(50, lanes.get(0).counters().drops(PathDrop.NO_SA));
        assertEquals(50, lanes.get(1).counters().drops(PathDrop.NO_SA));
        assertEquals(List.of("t/0", "t/1"), listener.acquires.stream().sorted().toList(), "one per lane");

        Thread.sleep(1100);
        send(0, 5);
        eventually(() -> listener.acquires.size() == 3);
        assertEquals("t/0", listener.acquires.get(2));
    }

    @Test
    void laneOnTheFallbackSaAcquiresAndALaneWithItsOwnSaDoesNot() throws Exception {
        await(onControl(() -> dataPlane.install(fallback(dataPlane.allocateSpi(0), 0x5000, SaLifetime.UNLIMITED))));
        await(onControl(
                () -> dataPlane.install(perCpu(1, dataPlane.allocateSpi(1), 0x5101, SaLifetime.UNLIMITED, false))));

        send(0, 10);
        send(1, 10);
        Thread.sleep(200);

        assertEquals(List.of("t/0"), List.copyOf(listener.acquires));
        assertEquals(10, lanes.get(0).counters().espSent());
        assertEquals(10, lanes.get(1).counters().espSent());
    }

    // ---- lifetimes ----

    @Test
    void byteLimitsAreReportedOnceEachAndTheLaneThenFallsBackToTheFallbackSa() throws Exception {
        await(onControl(() -> dataPlane.install(fallback(dataPlane.allocateSpi(1), 0x5000, SaLifetime.UNLIMITED))));
        SaLifetime bytes = new SaLifetime(4 * SIZE, 8 * SIZE, 0, 0, Duration.ZERO, Duration.ZERO);
        ChildSaSpec limited = perCpu(0, onControl(() -> dataPlane.allocateSpi(0)), 0x5100, bytes, false);
        await(onControl(() -> dataPlane.install(limited)));

        send(0, 10);

        eventually(() -> listener.expiries.size() == 2);
        assertEquals(List.of(limited.id() + ":soft", limited.id() + ":hard"), List.copyOf(listener.expiries));
        assertEquals(8, onControl(() -> dataPlane.usage(limited.id())).outboundPackets());
        long fallbackId = limited.id() - 1;
        assertEquals(2, onControl(() -> dataPlane.usage(fallbackId)).outboundPackets(), "after the hard limit");
        assertEquals(10, lanes.get(0).counters().espSent());
    }

    @Test
    void packetLimitsAreReportedOnceEachAndWithoutFallbackTheLaneDropsAsNoSa() throws Exception {
        SaLifetime packets = new SaLifetime(0, 0, 3, 5, Duration.ZERO, Duration.ZERO);
        ChildSaSpec limited = perCpu(0, onControl(() -> dataPlane.allocateSpi(0)), 0x5100, packets, false);
        await(onControl(() -> dataPlane.install(limited)));

        send(0, 7);
        Thread.sleep(200);

        assertEquals(List.of(limited.id() + ":soft", limited.id() + ":hard"), List.copyOf(listener.expiries));
        assertEquals(5, lanes.get(0).counters().espSent());
        assertEquals(2, lanes.get(0).counters().drops(PathDrop.NO_SA));
        assertEquals(List.of("t/0"), List.copyOf(listener.acquires), "the lane asks for a new SA");
    }

    @Test
    void timeLimitsFireWithoutAnyTrafficOnceEachSoftFirst() throws Exception {
        SaLifetime time = SaLifetime.ofTime(Duration.ofMillis(200), Duration.ofMillis(500));
        ChildSaSpec limited = fallback(onControl(() -> dataPlane.allocateSpi(1)), 0x5000, time);
        long installed = System.nanoTime();
        await(onControl(() -> dataPlane.install(limited)));

        eventually(() -> listener.expiries.size() >= 2);
        Thread.sleep(300); // every lane's copy and the inbound SA expire too: still one report each
        assertTrue(System.nanoTime() - installed >= TimeUnit.MILLISECONDS.toNanos(500));
        assertEquals(List.of(limited.id() + ":soft", limited.id() + ":hard"), List.copyOf(listener.expiries));

        send(1, 3);
        Thread.sleep(100);
        assertEquals(3, lanes.get(1).counters().drops(PathDrop.NO_SA), "a hard-expired SA is not used");
    }

    @Test
    void expiryOfARemovedPairIsNotReported() throws Exception {
        ChildSaSpec limited = fallback(
                onControl(() -> dataPlane.allocateSpi(1)),
                0x5000,
                SaLifetime.ofTime(Duration.ofMillis(500), Duration.ofMillis(1000)));
        await(onControl(() -> dataPlane.install(limited)));
        await(onControl(() -> dataPlane.remove(limited.id())));

        Thread.sleep(1300);
        assertEquals(List.of(), List.copyOf(listener.expiries));
    }

    // ---- usage ----

    @Test
    void usageSumsTheFallbackCopiesOfAllLanesAndTracksTheLastInboundPacket() throws Exception {
        int spi = onControl(() -> dataPlane.allocateSpi(1));
        ChildSaSpec pair = fallback(spi, 0x5000, SaLifetime.UNLIMITED);
        await(onControl(() -> dataPlane.install(pair)));
        TrafficGenerator sink = attachSink(lanes.get(1));

        send(0, 3);
        send(1, 5);
        receive(lanes.get(1), pair, 4);

        ChildSaUsage usage = onControl(() -> dataPlane.usage(pair.id()));
        assertEquals(8, usage.outboundPackets());
        assertEquals(8L * SIZE, usage.outboundBytes());
        assertEquals(4, usage.inboundPackets());
        assertEquals(4L * SIZE, usage.inboundBytes());
        assertEquals(4, sink.received());
        long before = System.nanoTime();
        eventually(() -> onControlUnchecked(() -> dataPlane.usage(pair.id()).lastInboundNanos()) != 0);
        long last = onControl(() -> dataPlane.usage(pair.id())).lastInboundNanos();
        assertTrue(last - before < TimeUnit.SECONDS.toNanos(1), "sampled within a housekeeping period");
        assertEquals(ChildSaUsage.NONE, onControl(() -> dataPlane.usage(12345)));
    }

    // ---- incremental builds ----

    @Test
    void tablesBuiltFromTheChangesAloneEqualTablesBuiltAfreshAfterEveryStep() throws Exception {
        RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        List<ChildSaSpec> live = new ArrayList<>();
        for (int step = 0; step < 200; step++) {
            int changes = 1 + random.nextInt(3); // several changes in one control-loop turn share a build
            List<String> done = new ArrayList<>();
            CompletionStage<Void> last = onControl(() -> {
                CompletionStage<Void> stage = null;
                for (int c = 0; c < changes; c++) {
                    int action = random.nextInt(20);
                    int tunnel = random.nextInt(4);
                    if (action < 10 || live.isEmpty()) {
                        int lane = random.nextInt(LANES + 1) - 1;
                        int spi = dataPlane.allocateSpi(lane < 0 ? random.nextInt(LANES) : lane);
                        ChildSaSpec spec = inTunnel(tunnel, lane, spi, random.nextBoolean());
                        live.add(spec);
                        stage = dataPlane.install(spec);
                        done.add("install " + spec);
                    } else if (action < 18) {
                        ChildSaSpec gone = live.remove(random.nextInt(live.size()));
                        stage = dataPlane.remove(gone.id());
                        done.add("remove " + gone.id());
                    } else if (action < 19) {
                        dataPlane.installPolicy(
                                "t" + tunnel,
                                List.of(ts("10.1." + tunnel + ".0", "10.1." + tunnel + ".255")),
                                List.of(ts("10.2." + tunnel + ".0", "10.2." + tunnel + ".255")));
                        done.add("policy t" + tunnel);
                    } else {
                        live.removeIf(spec -> spec.tunnel().equals("t" + tunnel));
                        stage = dataPlane.removePolicy("t" + tunnel);
                        done.add("remove policy t" + tunnel);
                    }
                }
                return stage == null ? dataPlane.publish() : stage;
            });
            await(last);
            settle(); // a removal of an unknown tunnel completes at once, an installPolicy returns no stage
            String built = describeTables();
            await(onControl(dataPlane::publish));
            assertEquals(describeTables(), built, "after step " + step + ": " + done);
            assertEquals(live.size(), dataPlane.childSas().size(), "shown pairs after step " + step);
        }
    }

    /** Waits until the control loop ran every build queued so far and every lane installed its tables. */
    private void settle() throws Exception {
        onControl(() -> null); // queued after the build of the changes made before
        for (Lane lane : lanes) {
            lane.eventLoop().submit(() -> null).get(5, TimeUnit.SECONDS);
        }
    }

    /** A pair of tunnel {@code t<tunnel>} (10.1.tunnel.0/24 to 10.2.tunnel.0/24). */
    private ChildSaSpec inTunnel(int tunnel, int lane, int inSpi, boolean multiport) {
        return new ChildSaSpec(
                nextId++,
                "t" + tunnel,
                lane,
                inSpi,
                0x7000 + (int) nextId,
                EspCipherSuite.AES_128_GCM_16,
                key(inSpi),
                key(inSpi + 1),
                false,
                64,
                SaLifetime.UNLIMITED,
                List.of(ts("10.1." + tunnel + ".0", "10.1." + tunnel + ".255")),
                List.of(ts("10.2." + tunnel + ".0", "10.2." + tunnel + ".255")),
                PEER,
                multiport && lane >= 0,
                true);
    }

    /**
     * Every lane's tables in words: its SAD (SPI, SA, tunnel, and whether the entry points to the lane's
     * current view of that tunnel), its targets (tunnel, own and fallback SA, socket) and where its SPD
     * sends each tunnel's traffic.
     */
    private String describeTables() {
        StringBuilder out = new StringBuilder();
        for (Lane lane : lanes) {
            Lane.Tables tables = lane.tables();
            out.append("lane ").append(lane.index()).append('\n');
            new java.util.TreeMap<>(tables.sad()).forEach((spi, in) -> out.append("  sad ")
                    .append(Integer.toHexString(spi))
                    .append(" sa=")
                    .append(System.identityHashCode(in.sa()))
                    .append(" tunnel=")
                    .append(in.tunnel().name())
                    .append(" current-view=")
                    .append(tables.spdTargets().contains(in.tunnel())
                            && tables.spdTargets().stream().anyMatch(t -> t == in.tunnel()))
                    .append('\n'));
            for (TunnelLane target : tables.spdTargets()) {
                out.append("  target ")
                        .append(target.name())
                        .append(" own=")
                        .append(
                                target.own() == null
                                        ? "-"
                                        : System.identityHashCode(target.own().sa()))
                        .append(" fallback=")
                        .append(
                                target.fallback() == null
                                        ? "-"
                                        : System.identityHashCode(
                                                target.fallback().sa()))
                        .append(" channel=")
                        .append(target.channel() == null ? "-" : System.identityHashCode(target.channel()))
                        .append('\n');
            }
            for (int t = 0; t < 4; t++) {
                TunnelLane hit = lookup(lane.index(), "10.1." + t + ".7", "10.2." + t + ".9");
                out.append("  spd t").append(t).append(" -> ").append(hit == null ? "-" : hit.name());
                out.append(hit != null && tables.spdTargets().stream().anyMatch(v -> v == hit) ? "" : " (stale)");
                out.append('\n');
            }
        }
        return out.toString();
    }

    // ---- what status shows ----

    @Test
    void aPairShowsInChildSasOnlyOnceEveryLaneRunsTablesThatHaveIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        lanes.get(1).eventLoop().execute(() -> {
            try {
                release.await(10, TimeUnit.SECONDS); // lane 1 is busy
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int spi = onControl(() -> dataPlane.allocateSpi(0));
        ChildSaSpec pair = fallback(spi, 0x5000, SaLifetime.UNLIMITED); // every lane sends on it
        CompletionStage<Void> installed = onControl(() -> dataPlane.install(pair));
        eventually(() -> lanes.get(0).tables().sad().get(spi) != null);
        Thread.sleep(100);
        assertEquals(List.of(), dataPlane.childSas(), "lane 1 still runs tables without the pair");

        // Whoever sees the pair in the status and sends at once finds it on every lane.
        List<String> missing = new CopyOnWriteArrayList<>();
        Thread watcher = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (dataPlane.childSas().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            for (int k = 0; k < LANES; k++) {
                TunnelLane view = lanes.get(k).tables().spdTargets().stream()
                        .filter(t -> t.name().equals("t"))
                        .findFirst()
                        .orElse(null);
                if (view == null
                        || view.fallback() == null
                        || view.fallback().sa().spi() != 0x5000) {
                    missing.add("lane " + k + " cannot send on the pair");
                }
            }
            if (lanes.get(0).tables().sad().get(spi) == null) {
                missing.add("lane 0 cannot receive on the pair");
            }
        });
        watcher.start();
        release.countDown();
        await(installed);
        watcher.join(10_000);
        assertEquals(List.of(), missing);
        assertEquals(1, dataPlane.childSas().size());

        // Removed: gone from the status only once no lane has it any more.
        CountDownLatch releaseAgain = new CountDownLatch(1);
        lanes.get(1).eventLoop().execute(() -> {
            try {
                releaseAgain.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletionStage<Void> removed = onControl(() -> dataPlane.remove(pair.id()));
        eventually(() -> lanes.get(0).tables().sad().get(spi) == null);
        Thread.sleep(100);
        assertEquals(1, dataPlane.childSas().size(), "lane 1 still sends on the pair");
        releaseAgain.countDown();
        await(removed);
        assertEquals(List.of(), dataPlane.childSas());
    }

    // ---- NAT keepalives ----

    @Test
    void natKeepalivesGoOnlyFromBehindANatFromPort4500AndEachMultiportLanePortAndFollowThePeerUntilTheIkeSaGoes()
            throws Exception {
        await(onControl(() -> dataPlane.install(fallback(dataPlane.allocateSpi(0), 0x5000, SaLifetime.UNLIMITED))));
        int spi = onControl(() -> dataPlane.allocateSpi(1));
        await(onControl(() -> dataPlane.install(perCpu(1, spi, 0x5100, SaLifetime.UNLIMITED, true))));

        // Only a NAT in front of the peer (or none): nothing to keep open.
        onControl(() -> {
            dataPlane.ikeSaPath(new IkeSaPath(7, "t", PEER, false));
            return null;
        });
        Thread.sleep(5 * KEEPALIVE.toMillis());
        assertEquals(List.of(), keepalives(natT.get(0)));
        assertEquals(List.of(), keepalives(sourcePort.get(1)));

        // A NAT in front of us: 0xFF from port 4500 and from lane 1's port (its multiport pair), not lane 0's.
        onControl(() -> {
            dataPlane.ikeSaPath(new IkeSaPath(7, "t", PEER, true));
            return null;
        });
        int[] seen = new int[2];
        eventually(() -> {
            seen[0] += keepalivesTo(natT.get(0), PEER);
            seen[1] += keepalivesTo(sourcePort.get(1), PEER);
            return seen[0] >= 2 && seen[1] >= 2;
        });
        assertEquals(List.of(), keepalives(sourcePort.get(0)), "lane 0 sends its traffic from port 4500");
        assertEquals(List.of(), keepalives(natT.get(1)), "port 4500 once, from lane 0");
        assertTrue(onControl(dataPlane::keepalivesSent) >= 4);

        // The peer's NAT mapping moved: so do the keepalives.
        InetSocketAddress moved = new InetSocketAddress("192.0.2.2", 14500);
        onControl(() -> {
            dataPlane.ikeSaPath(new IkeSaPath(7, "t", moved, true));
            return null;
        });
        keepalives(natT.get(0));
        keepalives(sourcePort.get(1));
        int[] followed = new int[2];
        eventually(() -> {
            followed[0] += keepalivesTo(natT.get(0), moved);
            followed[1] += keepalivesTo(sourcePort.get(1), moved);
            return followed[0] >= 1 && followed[1] >= 1;
        });

        // The IKE SA is gone: no keepalive after that.
        onControl(() -> {
            dataPlane.ikeSaGone(7);
            return null;
        });
        keepalives(natT.get(0));
        keepalives(sourcePort.get(1));
        Thread.sleep(5 * KEEPALIVE.toMillis());
        assertEquals(List.of(), keepalives(natT.get(0)));
        assertEquals(List.of(), keepalives(sourcePort.get(1)));
    }

    @Test
    void aPathThatNoLongerSeesANatHereStopsItsKeepalives() throws Exception {
        onControl(() -> {
            dataPlane.ikeSaPath(new IkeSaPath(9, "no-pairs-yet", PEER, true));
            return null;
        });
        eventually(() -> keepalivesTo(natT.get(0), PEER) >= 1);
        onControl(() -> {
            dataPlane.ikeSaPath(new IkeSaPath(9, "no-pairs-yet", PEER, false));
            return null;
        });
        keepalives(natT.get(0));
        Thread.sleep(5 * KEEPALIVE.toMillis());
        assertEquals(List.of(), keepalives(natT.get(0)));
    }

    /** How many keepalives to {@code peer} {@code channel} sent since the last look (each one 0xFF octet). */
    private int keepalivesTo(EmbeddedChannel channel, InetSocketAddress peer) {
        return (int) keepalives(channel).stream().filter(peer::equals).count();
    }

    /** The recipients of the keepalives {@code channel} sent since the last look, read on the control loop. */
    private List<InetSocketAddress> keepalives(EmbeddedChannel channel) {
        return onControlUnchecked(() -> {
            List<InetSocketAddress> recipients = new ArrayList<>();
            for (Object sent; (sent = channel.readOutbound()) != null; ) {
                DatagramPacket datagram = (DatagramPacket) sent;
                try {
                    assertEquals(1, datagram.content().readableBytes(), "a keepalive is one octet");
                    assertEquals(
                            0xFF,
                            datagram.content()
                                    .getUnsignedByte(datagram.content().readerIndex()));
                    recipients.add(datagram.recipient());
                } finally {
                    datagram.release();
                }
            }
            return recipients;
        });
    }

    // ---- helpers ----

    private TrafficGenerator attachSink(Lane lane) throws Exception {
        TrafficGenerator sink = new TrafficGenerator(
                lane.index(),
                lane.eventLoop(),
                lane,
                PooledByteBufAllocator.DEFAULT,
                IpPrefix.parse("10.1.0.0/16"),
                IpPrefix.parse("10.2.0.0/16"),
                1,
                0,
                SIZE);
        lane.eventLoop().submit(() -> lane.attach(sink)).get(5, TimeUnit.SECONDS);
        return sink;
    }

    /** Hands {@code count} packets from 10.1.0.x to 10.2.0.x to lane {@code k}, as its red side would. */
    private void send(int k, int count) throws Exception {
        Lane lane = lanes.get(k);
        lane.eventLoop()
                .submit(() -> {
                    for (int i = 0; i < count; i++) {
                        lane.packetReceived(packet("10.1.0." + (i + 1), "10.2.0." + (i + 1), i));
                    }
                })
                .get(5, TimeUnit.SECONDS);
        lane.eventLoop().submit(() -> {}).get(5, TimeUnit.SECONDS); // the flush queued behind them
    }

    /** Sends {@code count} ESP packets as the peer would on {@code pair}'s inbound SA into {@code lane}'s socket. */
    private void receive(Lane lane, ChildSaSpec pair, int count) throws Exception {
        OutboundSa peer = new OutboundSa(
                new SaParameters(
                        pair.inboundSpi(), pair.suite(), pair.inboundKey(), pair.esn(), 0, SaLifetime.UNLIMITED),
                LifetimeListener.NONE,
                System.nanoTime());
        lane.eventLoop()
                .submit(() -> {
                    EmbeddedChannel socket = new EmbeddedChannel(lane.blackHandler());
                    for (int i = 0; i < count; i++) {
                        ByteBuf esp = packet("10.2.0.9", "10.1.0.9", i);
                        assertEquals(DropReason.NONE, peer.encapsulate(esp, EspSa.NEXT_HEADER_IPV4));
                        socket.writeInbound(new DatagramPacket(esp, new InetSocketAddress("192.0.2.1", 4500), PEER));
                    }
                    socket.finishAndReleaseAll();
                })
                .get(5, TimeUnit.SECONDS);
    }

    private static ByteBuf packet(String source, String destination, int seq) {
        ByteBuf buf = Unpooled.directBuffer(64 + SIZE + 64);
        buf.setIndex(64, 64);
        GeneratedPacket.write(
                buf,
                SIZE,
                IpPrefix.parse(source).ipv4(),
                IpPrefix.parse(destination).ipv4(),
                1,
                seq + 1);
        return buf;
    }

    private TunnelLane lookup(int lane, String source, String destination) {
        ByteBuf probe = packet(source, destination, 0);
        try {
            return lanes.get(lane).tables().spd().lookup(probe, probe.readerIndex());
        } finally {
            probe.release();
        }
    }

    private TunnelLane view(int lane) {
        return lanes.get(lane).tables().spdTargets().stream()
                .filter(t -> t.name().equals("t"))
                .findFirst()
                .orElseThrow();
    }

    private ChildSaSpec perCpu(int lane, int inSpi, int outSpi, SaLifetime lifetime, boolean multiport) {
        return spec(lane, inSpi, outSpi, lifetime, multiport, true);
    }

    private ChildSaSpec fallback(int inSpi, int outSpi, SaLifetime lifetime) {
        return spec(ChildSaSpec.FALLBACK, inSpi, outSpi, lifetime, false, true);
    }

    /** A pair whose exchange the peer initiated and we answered. */
    private ChildSaSpec answered(int lane, int inSpi, int outSpi) {
        return spec(lane, inSpi, outSpi, SaLifetime.UNLIMITED, false, false);
    }

    private ChildSaSpec spec(
            int lane, int inSpi, int outSpi, SaLifetime lifetime, boolean multiport, boolean initiated) {
        return new ChildSaSpec(
                nextId++,
                "t",
                lane,
                inSpi,
                outSpi,
                EspCipherSuite.AES_128_GCM_16,
                key(inSpi),
                key(outSpi),
                false,
                64,
                lifetime,
                List.of(ts("10.1.0.0", "10.1.255.255")),
                List.of(ts("10.2.0.0", "10.2.255.255")),
                PEER,
                multiport,
                initiated);
    }

    private static KeyMaterial key(int seed) {
        byte[] bytes = new byte[EspCipherSuite.AES_128_GCM_16.keyMaterialLength()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return KeyMaterial.of(bytes);
    }

    private static TsRange ts(String start, String end) {
        try {
            return new TsRange(InetAddress.getByName(start), InetAddress.getByName(end), 0, 0, 65535);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A manually keyed tunnel with one inbound SA (lane 0) and nothing to send on. */
    private static TunnelEntry manualTunnel() {
        InboundSa inbound = new InboundSa(
                SaParameters.of(MANUAL_SPI, EspCipherSuite.AES_128_GCM_16, key(9), false),
                LifetimeListener.NONE,
                System.nanoTime());
        List<TunnelLane> views = new ArrayList<>();
        for (int k = 0; k < LANES; k++) {
            views.add(new TunnelLane("manual", null, null, Spd.empty(), AcquireTrigger.NONE));
        }
        return new TunnelEntry(
                "manual", List.of(), views, List.of(new TunnelEntry.InboundEntry(inbound, new InboundActivity())));
    }

    private <T> T onControl(Callable<T> task) throws Exception {
        return control.submit(task).get(5, TimeUnit.SECONDS);
    }

    private <T> T onControlUnchecked(Callable<T> task) {
        try {
            return onControl(task);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CompletionStage<Void> stage) throws Exception {
        stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 5 s");
            Thread.sleep(10);
        }
    }

    /** Draws the scripted SPIs first (as raw draws), then a fixed sequence. */
    private final class ScriptedRandom implements RandomGenerator {
        private final RandomGenerator rest = RandomGenerator.of("L64X128MixRandom");

        @Override
        public int nextInt() {
            return scriptedSpis.isEmpty() ? rest.nextInt() : scriptedSpis.removeFirst();
        }

        @Override
        public long nextLong() {
            return rest.nextLong();
        }
    }

    /** Keeps what the data plane reports, in order; called on the control loop, read by the test. */
    private static final class RecordingListener implements DataPlaneListener {
        final List<String> acquires = new CopyOnWriteArrayList<>();
        final List<String> expiries = new CopyOnWriteArrayList<>();

        @Override
        public void expired(long id, boolean hard) {
            expiries.add(id + (hard ? ":hard" : ":soft"));
        }

        @Override
        public void acquire(String tunnel, int lane) {
            acquires.add(tunnel + "/" + lane);
        }

        @Override
        public void ikeReceived(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
            message.release();
        }
    }
}
