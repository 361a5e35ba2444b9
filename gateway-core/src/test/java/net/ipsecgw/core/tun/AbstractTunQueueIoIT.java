package net.ipsecgw.core.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import net.ipsecgw.core.lane.LaneEventLoops;
import net.ipsecgw.core.lane.LaneTransport;
import net.ipsecgw.core.linux.CpuAffinity;
import net.ipsecgw.core.linux.TunDevice;
import net.ipsecgw.core.linux.TunFdMode;
import net.ipsecgw.core.tun.RecordingHandler.Received;
import net.ipsecgw.testing.NetworkNamespace;
import net.ipsecgw.testing.Privileges;
import net.ipsecgw.testing.TestSubnet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TUN queue I/O contract, run once per transport: a two-queue TUN device inside a test namespace,
 * addressed {@code first/30}, so that traffic to {@code second} leaves through the TUN device and
 * packets written to a queue arrive for {@code first}. Queue k is registered on lane k.
 */
abstract class AbstractTunQueueIoIT {
    private static final String NAME = "gwtun0";
    private static final int MTU = 1400;
    private static final int QUEUES = 2;
    private static final int PORT = 9999;

    private NetworkNamespace ns;
    private LaneEventLoops lanes;
    private TunDevice device;
    private TestSubnet subnet;
    private final TrackingAllocator allocator = new TrackingAllocator();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final List<RecordingHandler> handlers = new ArrayList<>();
    private final List<TunQueueIo> ios = new ArrayList<>();

    abstract LaneTransport transport();

    @BeforeEach
    void createDeviceInNamespace() throws Exception {
        Privileges.requireRoot("TUN queue I/O");
        Privileges.requireProgram("ip", "iproute2");
        ns = NetworkNamespace.create();
        List<Integer> cpus =
                CpuAffinity.onlineCpus().stream().limit(QUEUES).boxed().toList();
        lanes = LaneEventLoops.start(transport(), cpus);
        // No IPv6 on the test device: its link-up chatter (MLD, router solicitations) stays out of the way.
        ns.run("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        device = ns.call(() -> TunDevice.open(NAME, QUEUES, MTU, transport().tunFdMode()));
        subnet = TestSubnet.next();
        ns.ip("addr", "add", subnet.firstWithPrefix(), "dev", NAME);
    }

    private void start(TunQueueIoConfig config) throws Exception {
        for (int q = 0; q < QUEUES; q++) {
            RecordingHandler handler = new RecordingHandler(q, received);
            handlers.add(handler);
            ios.add(TunQueueIo.register(lane(q), device.queue(q), handler, allocator, config)
                    .get(5, TimeUnit.SECONDS));
        }
    }

    private void start() throws Exception {
        start(TunQueueIoConfig.defaults(MTU));
    }

    private io.netty.channel.IoEventLoop lane(int queue) {
        return lanes.eventLoop(queue % lanes.laneCount());
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (TunQueueIo io : ios) {
                io.close();
                assertTrue(io.closeFuture().await(5, TimeUnit.SECONDS), io + " closed");
            }
        } finally {
            if (lanes != null) {
                lanes.close();
            }
            if (device != null) {
                device.close();
            }
            if (ns != null) {
                ns.close();
            }
        }
        assertEquals(0, allocator.unreleased(), "every buffer was released");
    }

    @Test
    void aDatagramSentInsideTheNamespaceReachesTheHandlerOnItsLaneThread() throws Exception {
        start();
        byte[] payload = "red side, outbound".getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket socket = socketInside(subnet.first())) {
            socket.send(new DatagramPacket(payload, payload.length, subnet.second(), PORT));
            Received packet = awaitUdp();
            Ipv4Udp udp = Ipv4Udp.decode(packet.packet());
            assertEquals(subnet.first(), udp.source());
            assertEquals(socket.getLocalPort(), udp.sourcePort());
            assertEquals(subnet.second(), udp.destination());
            assertEquals(PORT, udp.destinationPort());
            assertArrayEquals(payload, udp.payload());
            assertEquals("lane-" + (packet.queue() % lanes.laneCount()), packet.thread());
            assertEquals(TunQueueIoConfig.defaults(MTU).headroom(), packet.headroom());
            assertTrue(packet.tailroom() >= TunQueueIoConfig.defaults(MTU).tailroom());
            awaitTrue(() -> ios.get(packet.queue()).counters().bytesRead() >= packet.packet().length);
        }
    }

    @Test
    void aWrittenPacketReachesASocketInsideTheNamespaceThroughEitherQueue() throws Exception {
        start();
        try (DatagramSocket socket = socketInside(subnet.first())) {
            socket.setSoTimeout(5000);
            for (int q = 0; q < QUEUES; q++) {
                byte[] payload = ("red side, inbound via queue " + q).getBytes(StandardCharsets.US_ASCII);
                Ipv4Udp udp = new Ipv4Udp(subnet.second(), 7000 + q, subnet.first(), socket.getLocalPort(), payload);
                assertTrue(writeOnLane(q, direct(udp.encode())));
                DatagramPacket in = new DatagramPacket(new byte[2000], 2000);
                socket.receive(in);
                assertArrayEquals(payload, Arrays.copyOf(in.getData(), in.getLength()));
                assertEquals(new InetSocketAddress(subnet.second(), 7000 + q), in.getSocketAddress());
                int queue = q;
                awaitTrue(() -> ios.get(queue).counters().packetsWritten() == 1);
                assertEquals(udp.encode().length, ios.get(q).counters().bytesWritten());
            }
        }
    }

    @Test
    void flowsSpreadOverBothQueuesAndEachFlowStaysOnOne() throws Exception {
        start();
        int flows = 32;
        int packetsPerFlow = 4;
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            for (int f = 0; f < flows; f++) {
                sockets.add(socketInside(subnet.first()));
            }
            for (int round = 0; round < packetsPerFlow; round++) {
                for (DatagramSocket socket : sockets) {
                    socket.send(new DatagramPacket(new byte[] {(byte) round}, 1, subnet.second(), PORT));
                }
            }
            java.util.Map<Integer, Set<Integer>> queuesByFlow = new java.util.HashMap<>();
            for (int i = 0; i < flows * packetsPerFlow; i++) {
                Received packet = awaitUdp();
                assertEquals("lane-" + (packet.queue() % lanes.laneCount()), packet.thread());
                int sourcePort = Ipv4Udp.decode(packet.packet()).sourcePort();
                queuesByFlow.computeIfAbsent(sourcePort, k -> new HashSet<>()).add(packet.queue());
            }
            assertEquals(flows, queuesByFlow.size());
            queuesByFlow.forEach((port, queues) -> assertEquals(1, queues.size(), "flow " + port + " on " + queues));
            Set<Integer> used = new HashSet<>();
            queuesByFlow.values().forEach(used::addAll);
            assertEquals(Set.of(0, 1), used, "both queues carry flows");
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
    }

    @Test
    void aBurstIsReadCompletelyWithTheSmallestBatches() throws Exception {
        start(new TunQueueIoConfig(0, MTU, 0, 1, 1, 1));
        int burst = 200; // below the device's 500-packet transmit queue, so the kernel drops none
        try (DatagramSocket socket = socketInside(subnet.first())) {
            for (int i = 0; i < burst; i++) {
                byte[] seq = {(byte) (i >> 8), (byte) i};
                socket.send(new DatagramPacket(seq, 2, subnet.second(), PORT));
            }
            int previous = -1;
            for (int i = 0; i < burst; i++) {
                byte[] payload = Ipv4Udp.decode(awaitUdp().packet()).payload();
                int seq = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
                assertEquals(previous + 1, seq, "one flow arrives in order");
                previous = seq;
            }
        }
    }

    @Test
    void aMalformedPacketIsDroppedCountedAndTheQueueKeepsWorking() throws Exception {
        start();
        byte[] notIp = new byte[40];
        Arrays.fill(notIp, (byte) 0xff); // IP version 15: the kernel refuses it with EINVAL
        writeOnLane(0, direct(notIp));
        awaitTrue(() -> ios.get(0).counters().drops(TunDropReason.WRITE_FAILED) == 1);
        try (DatagramSocket socket = socketInside(subnet.first())) {
            socket.setSoTimeout(5000);
            byte[] payload = {1, 2, 3};
            Ipv4Udp udp = new Ipv4Udp(subnet.second(), 7000, subnet.first(), socket.getLocalPort(), payload);
            assertTrue(writeOnLane(0, direct(udp.encode())));
            DatagramPacket in = new DatagramPacket(new byte[100], 100);
            socket.receive(in);
            assertEquals(3, in.getLength());
        }
        assertEquals(1, ios.get(0).counters().totalDrops());
    }

    @Test
    void anEmptyPacketIsDroppedAsEmpty() throws Exception {
        start();
        assertFalse(writeOnLane(0, allocator.directBuffer(0)));
        assertEquals(1, ios.get(0).counters().drops(TunDropReason.WRITE_EMPTY));
    }

    @Test
    void aHeapBufferIsWrittenThroughADirectCopy() throws Exception {
        start();
        try (DatagramSocket socket = socketInside(subnet.first())) {
            socket.setSoTimeout(5000);
            byte[] payload = "from the heap".getBytes(StandardCharsets.US_ASCII);
            Ipv4Udp udp = new Ipv4Udp(subnet.second(), 7001, subnet.first(), socket.getLocalPort(), payload);
            ByteBuf heap = allocator.heapBuffer().writeBytes(udp.encode());
            assertTrue(writeOnLane(1, heap));
            DatagramPacket in = new DatagramPacket(new byte[100], 100);
            socket.receive(in);
            assertArrayEquals(payload, Arrays.copyOf(in.getData(), in.getLength()));
            assertEquals(0, heap.refCnt());
        }
    }

    @Test
    void writingFromAnotherThreadIsRefusedAndReleasesThePacket() throws Exception {
        start();
        ByteBuf packet = direct(new byte[] {0x45});
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ios.get(0).write(packet));
        assertTrue(e.getMessage().contains("only its lane's event loop may write it"), e.getMessage());
        assertEquals(0, packet.refCnt());
    }

    @Test
    void closeStopsReadingReleasesEveryBufferAndRefusesWrites() throws Exception {
        start();
        for (TunQueueIo io : ios) {
            io.close();
            assertTrue(io.closeFuture().await(5, TimeUnit.SECONDS), "closed while reads were pending");
        }
        assertEquals(0, allocator.unreleased(), "buffers of pending reads are released at close");
        try (DatagramSocket socket = socketInside(subnet.first())) {
            socket.send(new DatagramPacket(new byte[] {1}, 1, subnet.second(), PORT));
            assertNull(pollUdp(300), "nothing is read after close");
        }
        assertFalse(writeOnLane(0, direct(new byte[] {0x45})));
        assertEquals(1, ios.get(0).counters().drops(TunDropReason.WRITE_CLOSED));
        assertTrue(lane(0).submit(() -> true).get(5, TimeUnit.SECONDS), "the lane keeps running");
    }

    @Test
    void closeRightAfterABurstOfWritesFinishesThemFirst() throws Exception {
        start();
        try (DatagramSocket socket = socketInside(subnet.first())) {
            byte[] packet =
                    new Ipv4Udp(subnet.second(), 7002, subnet.first(), socket.getLocalPort(), new byte[100]).encode();
            int burst = 100;
            int accepted = lane(0).submit(() -> {
                        int n = 0;
                        for (int i = 0; i < burst; i++) {
                            n += ios.get(0).write(direct(packet)) ? 1 : 0;
                        }
                        ios.get(0).close(); // io_uring: the writes are still in the submission queue
                        return n;
                    })
                    .get(5, TimeUnit.SECONDS);
            assertEquals(burst, accepted);
            assertTrue(ios.get(0).closeFuture().await(5, TimeUnit.SECONDS));
            assertEquals(burst, ios.get(0).counters().packetsWritten());
            assertEquals(0, ios.get(0).counters().totalDrops());
        }
    }

    @Test
    void shuttingTheLaneDownClosesItsQueueIo() throws Exception {
        start();
        // The shutdown request lands while each lane runs a task: the case where Netty 4.2.18 with a
        // zero quiet period ends the loop without closing its registered handles.
        for (int lane = 0; lane < lanes.laneCount(); lane++) {
            lanes.eventLoop(lane).execute(() -> sleep(200));
        }
        Thread.sleep(50);
        lanes.close();
        for (TunQueueIo io : ios) {
            assertTrue(io.closeFuture().isDone(), io + " closed by its lane's shutdown");
        }
        assertEquals(0, allocator.unreleased());
    }

    @Test
    void deletingTheDeviceStopsTheQueueAndTellsTheHandler() throws Exception {
        start();
        ns.ip("link", "del", NAME);
        for (int q = 0; q < QUEUES; q++) {
            Throwable cause = handlers.get(q).readFailure.get(5, TimeUnit.SECONDS);
            assertNotNull(cause);
            assertTrue(ios.get(q).closeFuture().await(5, TimeUnit.SECONDS));
            assertEquals(1, ios.get(q).counters().drops(TunDropReason.READ_FAILED));
        }
        assertTrue(lane(0).submit(() -> true).get(5, TimeUnit.SECONDS), "the lane keeps running");
    }

    @Test
    void aQueueOpenedForTheOtherTransportIsRefused() throws Exception {
        TunFdMode other = transport().tunFdMode() == TunFdMode.BLOCKING ? TunFdMode.NON_BLOCKING : TunFdMode.BLOCKING;
        try (TunDevice wrong = ns.call(() -> TunDevice.open("gwtun1", 1, MTU, other))) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> TunQueueIo.register(
                            lane(0),
                            wrong.queue(0),
                            new RecordingHandler(0),
                            allocator,
                            TunQueueIoConfig.defaults(MTU)));
            assertTrue(e.getMessage().contains("needs " + transport().tunFdMode()), e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private DatagramSocket socketInside(InetAddress bind) throws Exception {
        return ns.call(() -> new DatagramSocket(new InetSocketAddress(bind, 0)));
    }

    private ByteBuf direct(byte[] bytes) {
        return allocator.directBuffer(bytes.length).writeBytes(bytes);
    }

    /** Writes on queue {@code q}'s lane thread, as the pipeline will. */
    private boolean writeOnLane(int q, ByteBuf packet) throws Exception {
        return lane(q).submit(() -> ios.get(q).write(packet)).get(5, TimeUnit.SECONDS);
    }

    /** The next IPv4/UDP packet to {@link #PORT}, within 5 s. */
    private Received awaitUdp() throws InterruptedException {
        Received packet = pollUdp(5000);
        assertNotNull(packet, "a packet within 5 s");
        return packet;
    }

    /** The next IPv4/UDP packet to {@link #PORT} (anything else the kernel emits is skipped), or null. */
    private Received pollUdp(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            Received packet = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (packet == null) {
                return null;
            }
            byte[] bytes = packet.packet();
            if ((bytes[0] >> 4) == 4 && bytes[9] == 17 && Ipv4Udp.decode(bytes).destinationPort() == PORT) {
                return packet;
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition within 5 s");
            Thread.sleep(5);
        }
    }
}
