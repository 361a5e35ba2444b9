package net.ipsecgw.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.control.ChildSaStatus;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.linux.CpuAffinity;
import net.ipsecgw.core.red.TrafficGenerator;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.esp.EspCipherSuite;
import net.ipsecgw.esp.KeyMaterial;
import net.ipsecgw.esp.SaLifetime;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.IkeSettings;
import net.ipsecgw.ike.config.Secret;
import net.ipsecgw.ike.config.TrafficSelectors;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.ControlPlane;
import net.ipsecgw.ike.dataplane.DataPlane;
import net.ipsecgw.ike.dataplane.TsRange;
import net.ipsecgw.natt.UdpTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways in this JVM, as an ordinary user: A on 127.0.0.1 and B on 127.0.0.2 (NAT-T port 14500,
 * IKE port 15000), each in generator mode (no TUN), each with a control plane that installs mirrored
 * Child SA pairs (a fallback pair and one per lane, multiport) through the {@link DataPlane} as the IKE
 * control plane will. Traffic flows both ways on every lane, each per-CPU SA on its own lane and from its
 * lane's own source port; a make-before-break rekey loses no packet; IKE messages reach the control
 * plane from both ports (the NAT-T one without its non-ESP marker) and leave from both (with the marker
 * from the NAT-T port).
 */
class GeneratorGatewayPairTest {
    private static final InetSocketAddress NAT_T_A = new InetSocketAddress("127.0.0.1", 14500);
    private static final InetSocketAddress NAT_T_B = new InetSocketAddress("127.0.0.2", 14500);
    private static final InetSocketAddress IKE_B = new InetSocketAddress("127.0.0.2", 15000);
    private static final String NET_A = "10.1.0.0/24";
    private static final String NET_B = "10.2.0.0/24";

    private final TestControlPlane controlA = new TestControlPlane(NET_A, NET_B);
    private final TestControlPlane controlB = new TestControlPlane(NET_B, NET_A);
    private Gateway a;
    private Gateway b;
    private long nextId = 1;
    private int round;

    @BeforeEach
    void startBoth() throws Exception {
        List<Integer> cpus = CpuAffinity.onlineCpus().stream().limit(2).boxed().toList();
        a = Gateway.start(config(cpus, NAT_T_A, NAT_T_B, NET_A, NET_B), (dp, loop) -> controlA.bind(dp, loop));
        b = Gateway.start(config(cpus, NAT_T_B, NAT_T_A, NET_B, NET_A), (dp, loop) -> controlB.bind(dp, loop));
    }

    @AfterEach
    void closeBoth() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void trafficFlowsBothWaysOnEveryLaneOnItsOwnSaAndSourcePortAndSurvivesARekey() throws Exception {
        int lanes = a.lanes().size();
        eventually(() -> controlA.acquires.size() >= lanes, "every lane of A asks for an SA");
        assertTrue(a.lanes().stream().allMatch(l -> l.counters().drops(net.ipsecgw.core.datapath.PathDrop.NO_SA) > 0));

        List<long[]> first = rekey(controlA, controlB); // installs the first pairs: nothing to replace yet
        eventually(() -> everySinkGrows(a) && everySinkGrows(b), "traffic on every lane of both sides");

        // The SAs' and the lanes' counters are read one after the other: compare them with no packet
        // in flight.
        pauseGenerators(a, b);
        Thread.sleep(300);
        assertPerCpuSasOnTheirOwnLanes(a, b);
        assertPerCpuSasOnTheirOwnLanes(b, a);
        resumeGenerators(a, b);
        Set<Integer> ports = new HashSet<>();
        for (ChildSaStatus sa : a.childSas()) {
            if (sa.lane() != ChildSaSpec.FALLBACK) {
                assertEquals(a.sourcePorts()[sa.lane()], sa.sourcePort());
                assertTrue(ports.add(sa.sourcePort()), "source ports distinct per lane");
            } else {
                assertEquals(NAT_T_A.getPort(), sa.sourcePort());
            }
        }
        assertEquals(lanes, ports.size());

        // A to B: B installs the new pairs first, so A switches only once B can receive them.
        assertNoLossWhileRekeying(a, b, controlB, controlA, first);
        List<long[]> second = lastInstalled;
        // B to A, the other way round.
        assertNoLossWhileRekeying(b, a, controlA, controlB, second);

        for (Gateway g : List.of(a, b)) {
            for (TrafficGenerator generator : g.generators()) {
                assertEquals(0, generator.bad(), "lane " + generator.lane());
                assertEquals(0, generator.outOfOrder(), "lane " + generator.lane());
            }
        }
    }

    @Test
    void ikeFromBothPortsReachesTheControlPlaneAndLeavesFromBothPorts() throws Exception {
        byte[] message = new byte[64];
        Arrays.fill(message, (byte) 0x2A);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout(5000);
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();

            peer.send(new DatagramPacket(message, message.length, IKE_B));
            Received viaIkePort = controlB.ike.poll(5, TimeUnit.SECONDS);
            assertNotNull(viaIkePort, "delivered from the IKE port");
            assertArrayEquals(message, viaIkePort.bytes);
            assertEquals(IKE_B, viaIkePort.local);
            assertEquals(peerAddress, viaIkePort.remote);

            byte[] framed = new byte[4 + message.length];
            System.arraycopy(message, 0, framed, 4, message.length);
            peer.send(new DatagramPacket(framed, framed.length, NAT_T_B));
            Received viaNatT = controlB.ike.poll(5, TimeUnit.SECONDS);
            assertNotNull(viaNatT, "delivered from the NAT-T port");
            assertArrayEquals(message, viaNatT.bytes, "without the non-ESP marker");
            assertEquals(NAT_T_B, viaNatT.local);
            assertEquals(peerAddress, viaNatT.remote);
            assertEquals(1, b.lanes().getFirst().counters().ikeMessages());

            controlB.call(dp -> {
                dp.sendIke(Unpooled.wrappedBuffer(message), NAT_T_B, peerAddress);
                return null;
            });
            DatagramPacket fromNatT = receive(peer);
            assertEquals(NAT_T_B, fromNatT.getSocketAddress());
            assertArrayEquals(framed, Arrays.copyOf(fromNatT.getData(), fromNatT.getLength()), "with the marker");

            controlB.call(dp -> {
                dp.sendIke(Unpooled.wrappedBuffer(message), IKE_B, peerAddress);
                return null;
            });
            DatagramPacket fromIkePort = receive(peer);
            assertEquals(IKE_B, fromIkePort.getSocketAddress());
            assertArrayEquals(message, Arrays.copyOf(fromIkePort.getData(), fromIkePort.getLength()));
        }
    }

    // ---- make-before-break ----

    private List<long[]> lastInstalled;

    /**
     * Pauses every generator but the sender's, measures what the sender sent and the receiver's sinks
     * got while the receiver, then the sender, install new pairs and then remove the old ones.
     */
    private void assertNoLossWhileRekeying(
            Gateway sender,
            Gateway receiver,
            TestControlPlane receiverFirst,
            TestControlPlane senderSecond,
            List<long[]> old)
            throws Exception {
        receiver.generators().forEach(TrafficGenerator::pause);
        quiesce(sender, receiver);
        long sentBefore = sent(sender);
        long receivedBefore = received(receiver);

        sender.generators().forEach(TrafficGenerator::resume);
        Thread.sleep(300);
        List<long[]> installed = rekey(receiverFirst, senderSecond);
        Thread.sleep(300);
        removeAll(senderSecond, old, 1);
        Thread.sleep(200); // packets still in flight under the old SPIs reach the receiver's old SAs
        removeAll(receiverFirst, old, 0);
        Thread.sleep(300);
        quiesce(sender, receiver);

        long sent = sent(sender) - sentBefore;
        long received = received(receiver) - receivedBefore;
        assertTrue(sent > 100, "traffic flowed during the rekey: " + sent);
        assertEquals(sent, received, "no packet lost while rekeying");
        receiver.generators().forEach(TrafficGenerator::resume);
        lastInstalled = installed;
    }

    /**
     * Installs a fresh fallback pair and one per lane, mirrored: {@code first} installs its side
     * before {@code second} does. Returns {id on first, id on second} per pair.
     */
    private List<long[]> rekey(TestControlPlane first, TestControlPlane second) throws Exception {
        round++;
        int lanes = first.call(DataPlane::laneCount);
        List<long[]> ids = new ArrayList<>();
        List<ChildSaSpec> forFirst = new ArrayList<>();
        List<ChildSaSpec> forSecond = new ArrayList<>();
        for (int lane = ChildSaSpec.FALLBACK; lane < lanes; lane++) {
            int spiLane = Math.max(lane, 0);
            int firstSpi = first.call(dp -> dp.allocateSpi(spiLane));
            int secondSpi = second.call(dp -> dp.allocateSpi(spiLane));
            KeyMaterial firstToSecond = key(round * 100 + lane * 2 + 10);
            KeyMaterial secondToFirst = key(round * 100 + lane * 2 + 11);
            long idFirst = nextId++;
            long idSecond = nextId++;
            forFirst.add(spec(idFirst, lane, firstSpi, secondSpi, secondToFirst, firstToSecond, first));
            forSecond.add(spec(idSecond, lane, secondSpi, firstSpi, firstToSecond, secondToFirst, second));
            ids.add(new long[] {idFirst, idSecond});
        }
        installAll(first, forFirst);
        installAll(second, forSecond);
        return ids;
    }

    private static void installAll(TestControlPlane control, List<ChildSaSpec> specs) throws Exception {
        for (ChildSaSpec spec : specs) {
            control.call(dp -> dp.install(spec)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    private static void removeAll(TestControlPlane control, List<long[]> ids, int side) throws Exception {
        for (long[] pair : ids) {
            control.call(dp -> dp.remove(pair[side])).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    private ChildSaSpec spec(
            long id, int lane, int in, int out, KeyMaterial inKey, KeyMaterial outKey, TestControlPlane side) {
        boolean isA = side == controlA;
        return new ChildSaSpec(
                id,
                "peer",
                lane,
                in,
                out,
                EspCipherSuite.AES_128_GCM_16,
                inKey,
                outKey,
                true,
                1024,
                SaLifetime.ofTime(Duration.ofHours(1), Duration.ofHours(2)),
                List.of(ts(isA ? NET_A : NET_B)),
                List.of(ts(isA ? NET_B : NET_A)),
                isA ? NAT_T_B : NAT_T_A,
                true,
                true);
    }

    // ---- checks ----

    private static void assertPerCpuSasOnTheirOwnLanes(Gateway sender, Gateway receiver) {
        for (ChildSaStatus sa : receiver.childSas()) {
            if (sa.lane() != ChildSaSpec.FALLBACK) {
                assertEquals(sa.lane(), sa.inboundLane(), "the kernel steers SPI mod N to the pair's lane");
                assertTrue(sa.usage().inboundPackets() > 0, "lane " + sa.lane() + " received on its own SA");
                assertTrue(sa.usage().outboundPackets() > 0, "lane " + sa.lane() + " sent on its own SA");
            }
        }
        for (Lane lane : receiver.lanes()) {
            long onThisLane = receiver.childSas().stream()
                    .filter(sa -> sa.inboundLane() == lane.index())
                    .mapToLong(sa -> sa.usage().inboundPackets())
                    .sum();
            long laneReceived = lane.counters().espReceived();
            assertTrue(laneReceived >= onThisLane, "what lane " + lane.index() + "'s SAs decrypted, it counted");
        }
        for (Lane lane : sender.lanes()) {
            assertTrue(lane.counters().espSent() > 0, "lane " + lane.index() + " sends");
            // gso not configured: on where epoll can; each generator burst is one run of equal sizes
            assertEquals(UdpTransport.EPOLL.supportsSegmentedDatagrams(), sender.gso());
            if (sender.gso()) {
                assertTrue(lane.counters().gsoSends() > 0, "lane " + lane.index() + " sends runs with UDP GSO");
            }
        }
    }

    private static void pauseGenerators(Gateway... gateways) {
        for (Gateway g : gateways) {
            g.generators().forEach(TrafficGenerator::pause);
        }
    }

    private static void resumeGenerators(Gateway... gateways) {
        for (Gateway g : gateways) {
            g.generators().forEach(TrafficGenerator::resume);
        }
    }

    private static boolean everySinkGrows(Gateway gateway) {
        return gateway.generators().stream().allMatch(g -> g.received() > 50);
    }

    private static long sent(Gateway gateway) {
        return gateway.generators().stream().mapToLong(TrafficGenerator::sent).sum();
    }

    private static long received(Gateway gateway) {
        return gateway.generators().stream()
                .mapToLong(TrafficGenerator::received)
                .sum();
    }

    /** Pauses the sender's generators and waits until the receiver's sinks stop changing. */
    private static void quiesce(Gateway sender, Gateway receiver) throws InterruptedException {
        sender.generators().forEach(TrafficGenerator::pause);
        long last = -1;
        while (received(receiver) != last) {
            last = received(receiver);
            Thread.sleep(200);
        }
    }

    private static DatagramPacket receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        socket.receive(packet);
        return packet;
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }

    // ---- configuration ----

    private static GatewayConfig config(
            List<Integer> cpus, InetSocketAddress self, InetSocketAddress peer, String local, String remote) {
        GatewayConfig.Black black =
                new GatewayConfig.Black(self.getHostString(), self.getPort(), null, null, Duration.ZERO, null);
        GatewayConfig.Red red = new GatewayConfig.Red(
                null,
                null,
                null,
                GatewayConfig.RedMode.GENERATOR,
                new GatewayConfig.Generator(IpPrefix.parse(local), IpPrefix.parse(remote), 8, 500, 200));
        IkeSettings ike = new IkeSettings(IKE_B.getPort(), null, null, null, null, null, null, null);
        ConnectionConfig connection = ConnectionConfig.builder("peer")
                .remoteAddress(peer.getHostString())
                .remotePort(IKE_B.getPort())
                .psk(Secret.valueOf("a test pre-shared key"))
                .localTs(List.of(local))
                .remoteTs(List.of(remote))
                .perCpuSas(true)
                .multiport(true)
                .build();
        return new GatewayConfig(new GatewayConfig.Lanes(cpus, null), black, red, List.of(), ike, List.of(connection));
    }

    private static TsRange ts(String prefix) {
        return TrafficSelectors.parse(prefix);
    }

    private static KeyMaterial key(int seed) {
        byte[] bytes = new byte[EspCipherSuite.AES_128_GCM_16.keyMaterialLength()];
        Arrays.fill(bytes, (byte) seed);
        bytes[0] = (byte) (seed >> 8);
        return KeyMaterial.of(bytes);
    }

    /** An IKE message as the control plane received it. */
    private record Received(byte[] bytes, InetSocketAddress local, InetSocketAddress remote) {}

    /**
     * A control plane that negotiates nothing: it declares its connection's policy at start, records
     * what the data path reports, and lets the test act on the data plane from the control loop.
     */
    private static final class TestControlPlane implements ControlPlane {
        final List<String> acquires = new CopyOnWriteArrayList<>();
        final BlockingQueue<Received> ike = new LinkedBlockingQueue<>();
        private final String local;
        private final String remote;
        private volatile DataPlane dataPlane;
        private volatile EventExecutor loop;

        TestControlPlane(String local, String remote) {
            this.local = local;
            this.remote = remote;
        }

        ControlPlane bind(DataPlane dataPlane, EventExecutor loop) {
            this.dataPlane = dataPlane;
            this.loop = loop;
            return this;
        }

        <T> T call(Function<DataPlane, T> action) throws Exception {
            return loop.submit(() -> action.apply(dataPlane)).get(5, TimeUnit.SECONDS);
        }

        @Override
        public void start() {
            dataPlane.installPolicy("peer", List.of(ts(local)), List.of(ts(remote)));
        }

        @Override
        public void close() {}

        @Override
        public void expired(long id, boolean hard) {}

        @Override
        public void acquire(String tunnel, int lane) {
            acquires.add(tunnel + "/" + lane);
        }

        @Override
        public void ikeReceived(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
            try {
                ike.add(new Received(ByteBufUtil.getBytes(message), local, remote));
            } finally {
                message.release();
            }
        }
    }
}
