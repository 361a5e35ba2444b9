package net.ipsecgw.core.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.ipsecgw.core.red.RedQueue;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.esp.EspCipherSuite;
import net.ipsecgw.esp.EspSa;
import net.ipsecgw.esp.InboundSa;
import net.ipsecgw.esp.KeyMaterial;
import net.ipsecgw.esp.LifetimeListener;
import net.ipsecgw.esp.OutboundSa;
import net.ipsecgw.esp.SaParameters;
import net.ipsecgw.natt.DatagramBatching;
import net.ipsecgw.natt.ReuseportSocketGroup;
import net.ipsecgw.natt.UdpTransport;
import net.ipsecgw.testing.Privileges;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A lane with UDP GSO on, through the real kernel over loopback, once per transport (see the
 * subclasses): lane A on 127.0.0.1 sends two tunnels, to peers 127.0.0.2 and 127.0.0.3, which are two
 * sockets of one peer lane B. What A hands its socket is recorded (segmented send or plain datagram);
 * what B decrypts is recorded at B's red side. Each read batch is one task on A's loop, as a TUN read
 * batch is, and A flushes after it.
 */
abstract class AbstractLaneGsoTest {
    private static final EspCipherSuite SUITE = EspCipherSuite.AES_128_GCM_16;
    private static final String LOCAL = "10.1.0.0/24";
    private static final String REMOTE_1 = "10.2.0.0/24";
    private static final String REMOTE_2 = "10.3.0.0/24";
    private static final int SPI_1 = 0x1001;
    private static final int SPI_2 = 0x2001;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final List<byte[]> delivered = new CopyOnWriteArrayList<>();
    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop senderLoop;
    private Lane sender;
    private Lane peer;

    /** The transport under test. */
    protected abstract UdpTransport transport();

    @BeforeEach
    void startBothLanes() throws Exception {
        Privileges.require(
                transport().isAvailable(),
                transport() + " transport unavailable: " + transport().unavailabilityCause());
        Assumptions.assumeTrue(
                transport().supportsSegmentedDatagrams(), transport() + " cannot send segmented datagrams here");
        group = new MultiThreadIoEventLoopGroup(2, transport().ioHandlerFactory());
        senderLoop = group.next();
        IoEventLoop peerLoop = group.next();

        sender = new Lane(0, senderLoop, 2048, 0, true);
        peer = new Lane(0, peerLoop, 2048, 0, false);
        ReuseportSocketGroup senderSocket = bind(senderLoop, "127.0.0.1", true, sender);
        ReuseportSocketGroup peer1 = bind(peerLoop, "127.0.0.2", false, peer);
        ReuseportSocketGroup peer2 = bind(peerLoop, "127.0.0.3", false, peer);
        senderSocket.channel(0).pipeline().addFirst(new WriteRecorder());

        Lane.Tables senderTables = TablesBuilder.build(
                        1,
                        List.of(
                                outboundTunnel("one", REMOTE_1, SPI_1, senderSocket, peer1.localAddress()),
                                outboundTunnel("two", REMOTE_2, SPI_2, senderSocket, peer2.localAddress())))
                .getFirst();
        Lane.Tables peerTables = TablesBuilder.build(
                        1, List.of(inboundTunnel("one", REMOTE_1, SPI_1), inboundTunnel("two", REMOTE_2, SPI_2)))
                .getFirst();
        RedQueue red = packet -> {
            delivered.add(ByteBufUtil.getBytes(packet));
            packet.release();
            return true;
        };
        onLoop(senderLoop, () -> {
            sender.install(senderTables);
            return null;
        });
        onLoop(peerLoop, () -> {
            peer.install(peerTables);
            peer.attach(red);
            return null;
        });
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void sameSizedPacketsOfABatchLeaveAsGsoSendsOfAtMost65507OctetsAndArriveAsSeparateDatagrams() throws Exception {
        List<ByteBuf> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(packet(REMOTE_1, 1400, i));
        }
        List<byte[]> sent = bytes(batch);

        sendBatch(batch);

        // 1400 inner octets: 1436 of ESP (16 header and IV, 2 padding, 2 trailer, 16 ICV); 45 fit in 65,507.
        assertEquals(
                List.of("gso 1436x45 to 127.0.0.2", "gso 1436x45 to 127.0.0.2", "gso 1436x10 to 127.0.0.2"), written);
        awaitDelivered(100);
        assertInnerPacketsArrivedInOrder(sent, delivered);
        assertEquals(100, sender.counters().espSent());
        assertEquals(100L * 1400, sender.counters().espSentBytes());
        assertEquals(3, sender.counters().gsoSends());
        assertEquals(100, sender.counters().gsoSegments());
        assertEquals(100, peer.counters().espReceived());
    }

    @Test
    void smallPacketsStopAtSixtyFourSegmentsPerSend() throws Exception {
        List<ByteBuf> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(packet(REMOTE_1, 100, i));
        }
        List<byte[]> sent = bytes(batch);

        sendBatch(batch);

        assertEquals(List.of("gso 136x64 to 127.0.0.2", "gso 136x36 to 127.0.0.2"), written);
        awaitDelivered(100);
        assertInnerPacketsArrivedInOrder(sent, delivered);
    }

    @Test
    void runsEndOnAShorterPacketALongerOneAnotherPeerAndTheEndOfTheReadBatch() throws Exception {
        List<ByteBuf> first = List.of(
                packet(REMOTE_1, 1000, 0),
                packet(REMOTE_1, 1000, 1),
                packet(REMOTE_1, 1000, 2),
                packet(REMOTE_1, 600, 3), // shorter: the run's last segment
                packet(REMOTE_1, 1000, 4),
                packet(REMOTE_1, 1000, 5),
                packet(REMOTE_2, 1000, 6), // another peer
                packet(REMOTE_2, 1200, 7), // longer: a new run
                packet(REMOTE_2, 1200, 8),
                packet(REMOTE_1, 1200, 9)); // another peer, alone until the batch ends
        List<ByteBuf> second = List.of(packet(REMOTE_1, 1200, 10), packet(REMOTE_1, 1200, 11));
        List<byte[]> sent = new ArrayList<>(bytes(first));
        sent.addAll(bytes(second));

        sendBatch(first);
        sendBatch(second);

        assertEquals(
                List.of(
                        "gso 1036x4 to 127.0.0.2", // 3 x 1036 + 636
                        "gso 1036x2 to 127.0.0.2",
                        "plain 1036 to 127.0.0.3", // a run of one: sent as it is
                        "gso 1236x2 to 127.0.0.3",
                        "plain 1236 to 127.0.0.2", // the batch ended the run
                        "gso 1236x2 to 127.0.0.2"), // not joined to packet 9: another read batch
                written);
        awaitDelivered(12);
        // Each peer socket keeps its order; the two sockets interleave in any order.
        assertInnerPacketsArrivedInOrder(toward(sent, 2), toward(delivered, 2));
        assertInnerPacketsArrivedInOrder(toward(sent, 3), toward(delivered, 3));
        assertEquals(12, sender.counters().espSent());
        assertEquals(4, sender.counters().gsoSends());
        assertEquals(10, sender.counters().gsoSegments());
    }

    // ---- helpers ----

    private ReuseportSocketGroup bind(IoEventLoop loop, String address, boolean gso, Lane lane) throws Exception {
        ReuseportSocketGroup socket = ReuseportSocketGroup.bind(
                transport(),
                List.of(loop),
                new InetSocketAddress(address, 0),
                DatagramBatching.DEFAULT,
                gso,
                k -> lane.blackHandler());
        closeables.add(socket);
        return socket;
    }

    private static TunnelEntry outboundTunnel(
            String name, String remote, int spi, ReuseportSocketGroup socket, InetSocketAddress to) {
        OutboundSa sa = new OutboundSa(parameters(spi), LifetimeListener.NONE, System.nanoTime());
        TunnelLane.Sender own = new TunnelLane.Sender(sa, socket.channel(0), to);
        TunnelLane view = new TunnelLane(name, own, null, Spd.empty(), AcquireTrigger.NONE);
        return new TunnelEntry(name, List.of(TrafficSelector.between(LOCAL, remote)), List.of(view), List.of());
    }

    private static TunnelEntry inboundTunnel(String name, String remote, int spi) {
        InboundSa sa = new InboundSa(parameters(spi), LifetimeListener.NONE, System.nanoTime());
        Spd<Boolean> admits = Spd.<Boolean>builder()
                .add(TrafficSelector.between(LOCAL, remote), true)
                .build();
        TunnelLane view = new TunnelLane(name, null, null, admits, AcquireTrigger.NONE);
        return new TunnelEntry(
                name, List.of(), List.of(view), List.of(new TunnelEntry.InboundEntry(sa, new InboundActivity())));
    }

    private static SaParameters parameters(int spi) {
        byte[] key = new byte[SUITE.keyMaterialLength()];
        Arrays.fill(key, (byte) spi);
        return SaParameters.of(spi, SUITE, KeyMaterial.of(key), true);
    }

    /**
     * An IPv4/UDP packet of {@code length} octets from 10.1.0.5 to host 7 of {@code remote}, its number
     * in the payload, with the room around it that ESP in place needs (as a TUN read gives it).
     */
    private static ByteBuf packet(String remote, int length, int number) {
        ByteBuf packet = PooledByteBufAllocator.DEFAULT.directBuffer(EspSa.HEADROOM + length + EspSa.TAILROOM);
        packet.writerIndex(EspSa.HEADROOM).readerIndex(EspSa.HEADROOM);
        String destination = remote.substring(0, remote.indexOf('/') - 1) + "7";
        packet.writeByte(0x45).writeByte(0).writeShort(length).writeInt(0);
        packet.writeByte(64).writeByte(17).writeShort(0);
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString("10.1.0.5"));
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString(destination));
        packet.writeShort(40000).writeShort(5001).writeShort(length - 20).writeShort(0);
        packet.writeInt(number);
        while (packet.readableBytes() < length) {
            packet.writeByte(packet.readableBytes() * 7 + number);
        }
        return packet;
    }

    private static List<byte[]> bytes(List<ByteBuf> packets) {
        return packets.stream().map(ByteBufUtil::getBytes).toList();
    }

    /** Hands {@code batch} to the sender lane in one task, as one TUN read batch, then waits for its flush. */
    private void sendBatch(List<ByteBuf> batch) throws Exception {
        onLoop(senderLoop, () -> {
            batch.forEach(sender::packetReceived);
            return null;
        });
        onLoop(senderLoop, () -> null); // the flush queued behind the batch has run
    }

    private void awaitDelivered(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (delivered.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(50); // nothing more may arrive
        assertEquals(count, delivered.size(), "inner packets delivered at the peer");
    }

    private static void assertInnerPacketsArrivedInOrder(List<byte[]> sent, List<byte[]> arrived) {
        assertEquals(sent.size(), arrived.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), arrived.get(i), "packet " + i);
        }
    }

    /** The packets whose destination is host 7 of 10.{@code net}.0.0/24. */
    private static List<byte[]> toward(List<byte[]> packets, int net) {
        return packets.stream().filter(p -> p[17] == net).toList();
    }

    private static <T> T onLoop(IoEventLoop loop, Callable<T> task) throws Exception {
        Future<T> done = loop.submit(task);
        assertTrue(done.await(5, TimeUnit.SECONDS), "the loop ran the task");
        if (!done.isSuccess()) {
            throw new AssertionError("task failed on the loop", done.cause());
        }
        return done.getNow();
    }

    /** Records what the lane writes to its socket: "gso SIZExSEGMENTS to ADDRESS" or "plain LENGTH to ADDRESS". */
    private final class WriteRecorder extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof SegmentedDatagramPacket segmented) {
                int length = segmented.content().readableBytes();
                int size = segmented.segmentSize();
                int count = (length + size - 1) / size;
                written.add("gso " + size + "x" + count + " to "
                        + segmented.recipient().getHostString());
            } else if (msg instanceof DatagramPacket plain) {
                written.add("plain " + plain.content().readableBytes() + " to "
                        + plain.recipient().getHostString());
            }
            ctx.write(msg, promise);
        }
    }
}
