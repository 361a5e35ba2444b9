package net.ipsecgw.natt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.ipsecgw.testing.Privileges;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NAT-keepalives through real loopback sockets, with a short interval and bounded waits. One subclass
 * per transport.
 */
abstract class AbstractNatKeepalivesTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final InetSocketAddress ANY_LOOPBACK_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private MultiThreadIoEventLoopGroup loops;
    private DatagramSocket peer;
    private final List<DatagramChannel> sources = new ArrayList<>();

    /** The transport under test. */
    protected abstract UdpTransport transport();

    @BeforeEach
    void setUp() throws Exception {
        Privileges.require(
                transport().isAvailable(),
                transport() + " transport unavailable: " + transport().unavailabilityCause());
        loops = new MultiThreadIoEventLoopGroup(2, transport().ioHandlerFactory());
        peer = new DatagramSocket(ANY_LOOPBACK_PORT);
        peer.setSoTimeout(20);
        for (int i = 0; i < 3; i++) {
            sources.add((DatagramChannel) new Bootstrap()
                    .group(loops)
                    .channel(transport().datagramChannelClass())
                    .handler(new ChannelInboundHandlerAdapter())
                    .bind(ANY_LOOPBACK_PORT)
                    .sync()
                    .channel());
        }
    }

    @AfterEach
    void tearDown() {
        for (DatagramChannel source : sources) {
            source.close().syncUninterruptibly();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void sendsOneFfOctetFromEverySourcePortEachIntervalUntilClosed() throws Exception {
        long start = System.nanoTime();
        Map<Integer, Integer> perSourcePort = new HashMap<>();
        long firstArrival;
        try (NatKeepalives keepalives = NatKeepalives.start(sources, peerAddress(), INTERVAL)) {
            firstArrival = receiveUntilEachSourceHasThree(perSourcePort) - start;
            long elapsed = System.nanoTime() - start;
            long maxPerSource = elapsed / INTERVAL.toNanos() + 1;
            for (int count : perSourcePort.values()) {
                assertTrue(count <= maxPerSource, count + " keepalives in " + elapsed / 1_000_000 + " ms: too often");
            }
            assertEquals(0, keepalives.failed());
            // The write's completion (which counts it) may be processed after the datagram arrived.
            long countedBy = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (keepalives.sent() < 9 && System.nanoTime() < countedBy) {
                Thread.sleep(5);
            }
            assertTrue(keepalives.sent() >= 9, "sent " + keepalives.sent());
        }
        assertTrue(firstArrival >= INTERVAL.toNanos() * 9 / 10, "first keepalive before one interval");

        drain(Duration.ofMillis(50)); // one already being written when closed may still land
        assertNull(receive(INTERVAL.multipliedBy(4)), "keepalive after close");
    }

    @Test
    void closedSourceIsCountedAsFailedAndTheOthersGoOn() throws Exception {
        sources.getFirst().close().sync();
        Map<Integer, Integer> perSourcePort = new HashMap<>();
        try (NatKeepalives keepalives = NatKeepalives.start(sources.subList(0, 2), peerAddress(), INTERVAL)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (perSourcePort.getOrDefault(sources.get(1).localAddress().getPort(), 0) < 2
                    && System.nanoTime() < deadline) {
                record(receive(INTERVAL), perSourcePort);
            }
            assertEquals(
                    2, perSourcePort.getOrDefault(sources.get(1).localAddress().getPort(), 0));
            assertTrue(keepalives.failed() >= 1, "closed source not counted");
            assertEquals(1, perSourcePort.size(), "only the open source sends");
        }
    }

    @Test
    void defaultIntervalIsTwentySecondsAndIntervalMustBePositive() {
        assertEquals(Duration.ofSeconds(20), NatKeepalives.DEFAULT_INTERVAL);
        assertThrows(IllegalArgumentException.class, () -> NatKeepalives.start(sources, peerAddress(), Duration.ZERO));
        assertThrows(
                IllegalArgumentException.class,
                () -> NatKeepalives.start(sources, peerAddress(), Duration.ofSeconds(-1)));
    }

    /** Receives until every source has sent three keepalives (bounded); returns the first arrival's time. */
    private long receiveUntilEachSourceHasThree(Map<Integer, Integer> perSourcePort) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long first = 0;
        while (!eachHasThree(perSourcePort) && System.nanoTime() < deadline) {
            DatagramPacket packet = receive(INTERVAL);
            if (packet != null && first == 0) {
                first = System.nanoTime();
            }
            record(packet, perSourcePort);
        }
        assertTrue(eachHasThree(perSourcePort), "keepalives per source port: " + perSourcePort);
        return first;
    }

    private boolean eachHasThree(Map<Integer, Integer> perSourcePort) {
        return sources.stream()
                .allMatch(s -> perSourcePort.getOrDefault(s.localAddress().getPort(), 0) >= 3);
    }

    private void record(DatagramPacket packet, Map<Integer, Integer> perSourcePort) {
        if (packet == null) {
            return;
        }
        byte[] payload =
                Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
        assertArrayEquals(new byte[] {(byte) 0xFF}, payload, "a keepalive is exactly one 0xFF octet");
        assertTrue(packet.getAddress().isLoopbackAddress());
        assertTrue(
                sources.stream().anyMatch(s -> s.localAddress().getPort() == packet.getPort()),
                "from unknown port " + packet.getPort());
        perSourcePort.merge(packet.getPort(), 1, Integer::sum);
    }

    private DatagramPacket receive(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        DatagramPacket packet = new DatagramPacket(new byte[64], 64);
        while (System.nanoTime() < deadline) {
            try {
                peer.receive(packet);
                return packet;
            } catch (SocketTimeoutException e) {
                // poll again until the deadline
            }
        }
        return null;
    }

    private void drain(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            receive(Duration.ofMillis(10));
        }
    }

    private InetSocketAddress peerAddress() {
        return (InetSocketAddress) peer.getLocalSocketAddress();
    }
}
