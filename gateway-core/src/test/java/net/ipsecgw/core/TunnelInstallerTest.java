package net.ipsecgw.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import net.ipsecgw.core.config.ExampleConfig;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.GatewayConfigLoader;
import net.ipsecgw.core.config.ManualKeying;
import net.ipsecgw.core.config.ManualSa;
import net.ipsecgw.core.config.TunnelConfig;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.PathDrop;
import net.ipsecgw.core.datapath.TunnelLane;
import net.ipsecgw.core.linux.TunQueue;
import net.ipsecgw.core.tun.TunQueueCounters;
import net.ipsecgw.core.tun.TunQueueIo;
import net.ipsecgw.esp.DropReason;
import net.ipsecgw.esp.EspSa;
import net.ipsecgw.natt.SpiAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that {@link TunnelInstaller} turns the example configuration (docs/examples/gateway.yml) into
 * the right per-lane tables: each lane's SAD holds exactly the inbound SAs whose SPI maps to it, each
 * lane sends on its own per-CPU SA where it has one (from its source-port socket when the tunnel is
 * multiport) and on its copy of the fallback SA elsewhere, and configurations that cannot be installed
 * on the given lanes are rejected naming the tunnel and the SPI. Then drives a {@link Lane} with those
 * tables on a real event loop: a packet from a local to a remote subnet leaves as an ESP-in-UDP
 * datagram on the expected socket, flushed in a later task, which the peer, configured as the mirror
 * image of this side, decrypts to the very bytes sent; a packet that no selector covers is dropped
 * and counted as {@link PathDrop#NO_POLICY}.
 */
class TunnelInstallerTest {
    private static final int LANES = 2;
    private static final InetSocketAddress SITE_B = new InetSocketAddress("198.51.100.2", 4500);
    private static final InetSocketAddress BRANCH_C = new InetSocketAddress("2001:db8:ffff::2", 4501);

    @TempDir
    Path dir;

    private final GatewayConfig config = ExampleConfig.load();
    private final List<EmbeddedChannel> natTPort = new ArrayList<>();
    private final List<EmbeddedChannel> sourcePort = new ArrayList<>();
    private final TunnelInstaller.SendChannels channels =
            (lane, perCpuWithMultiport) -> (perCpuWithMultiport ? sourcePort : natTPort).get(lane);
    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop loop;

    @BeforeEach
    void createSockets() {
        for (int k = 0; k < 8; k++) {
            natTPort.add(new EmbeddedChannel());
            sourcePort.add(new EmbeddedChannel());
        }
    }

    @AfterEach
    void closeEverything() {
        natTPort.forEach(EmbeddedChannel::finishAndReleaseAll);
        sourcePort.forEach(EmbeddedChannel::finishAndReleaseAll);
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    // ---- tables ----

    @Test
    void eachLaneSadHoldsExactlyTheInboundSasWhoseSpiModLanesIsThatLane() {
        List<Lane.Tables> tables = TunnelInstaller.build(config, LANES, channels);

        assertEquals(LANES, tables.size());
        assertEquals(Set.of(0x2000, 0x2100, 0x4000), tables.get(0).sad().keySet());
        assertEquals(Set.of(0x2101), tables.get(1).sad().keySet());

        Set<Integer> expected = new TreeSet<>();
        for (TunnelConfig tunnel : config.tunnels()) {
            for (ManualSa sa : tunnel.manual().inbound()) {
                expected.add(sa.wireSpi());
            }
        }
        Set<Integer> installed = new TreeSet<>();
        for (int lane = 0; lane < LANES; lane++) {
            Lane.Tables laneTables = tables.get(lane);
            for (int spi : laneTables.sad().keySet()) {
                assertEquals(lane, Integer.remainderUnsigned(spi, LANES), "SPI 0x" + Integer.toHexString(spi));
                Lane.Inbound inbound = laneTables.sad().get(spi);
                assertEquals(spi, inbound.sa().spi());
                assertTrue(
                        laneTables.spdTargets().stream().anyMatch(t -> t == inbound.tunnel()),
                        "bound to the same lane's view of its tunnel");
                assertTrue(installed.add(spi), "on one lane only");
            }
        }
        assertEquals(expected, installed, "every inbound SA of every tunnel, nothing else");
        assertEquals("site-b", tables.get(1).sad().get(0x2101).tunnel().name());
        assertEquals("branch-c", tables.get(0).sad().get(0x4000).tunnel().name());
    }

    @Test
    void perLaneOutboundSasLandOnTheirLaneAndTheFallbackOnTheOtherLanes() {
        List<Lane.Tables> tables = TunnelInstaller.build(config, LANES, channels);

        // site-b: an SA per lane, multiport: each lane sends from its own source port.
        TunnelLane siteB0 = target(tables.get(0), "site-b");
        TunnelLane siteB1 = target(tables.get(1), "site-b");
        assertEquals(0x1100, siteB0.outbound().spi());
        assertEquals(0x1101, siteB1.outbound().spi());
        assertTrue(siteB0.perCpu() && siteB1.perCpu());
        assertSame(sourcePort.get(0), siteB0.channel());
        assertSame(sourcePort.get(1), siteB1.channel());
        assertEquals(SITE_B, siteB0.peer());

        // branch-c: lane 1 has its own SA; lane 0 falls back; no multiport: both send from port 4500.
        TunnelLane branchC0 = target(tables.get(0), "branch-c");
        TunnelLane branchC1 = target(tables.get(1), "branch-c");
        assertEquals(0x3000, branchC0.outbound().spi());
        assertFalse(branchC0.perCpu());
        assertEquals(0x3101, branchC1.outbound().spi());
        assertTrue(branchC1.perCpu());
        assertSame(natTPort.get(0), branchC0.channel());
        assertSame(natTPort.get(1), branchC1.channel());
        assertEquals(BRANCH_C, branchC1.peer());
    }

    @Test
    void lanesWithoutAnSaOfTheirOwnShareTheFallbackSasSequenceNumbers() {
        List<Lane.Tables> tables = TunnelInstaller.build(config, 4, channels);

        List<TunnelLane> siteB = tables.stream().map(t -> target(t, "site-b")).toList();
        assertEquals(
                List.of(0x1100, 0x1101, 0x1000, 0x1000),
                siteB.stream().map(t -> t.outbound().spi()).toList());
        assertSame(natTPort.get(2), siteB.get(2).channel(), "the fallback SA is sent from the NAT-T port");
        assertNotSame(siteB.get(2).outbound(), siteB.get(3).outbound(), "each lane owns its copy");

        for (int lane : new int[] {2, 3}) {
            ByteBuf packet = ipv4("10.201.1.5", "10.201.2.7");
            try {
                assertEquals(DropReason.NONE, siteB.get(lane).outbound().encapsulate(packet, EspSa.NEXT_HEADER_IPV4));
                // One counter for both copies: no sequence number, and so no IV, is used twice.
                assertEquals(lane - 1, packet.getInt(packet.readerIndex() + 4), "sequence number on lane " + lane);
            } finally {
                packet.release();
            }
        }
        assertEquals(0, siteB.get(0).outbound().sequence(), "the per-CPU SA numbers on its own");
    }

    @Test
    void eachLaneSpdLeadsToTheTunnelCoveringThePacket() {
        for (Lane.Tables tables : TunnelInstaller.build(config, LANES, channels)) {
            assertEquals(
                    "site-b", lookup(tables, ipv4("10.201.1.5", "10.201.2.7")).name());
            assertEquals(
                    "site-b",
                    lookup(tables, ipv6("2001:db8:1::5", "2001:db8:2::7")).name());
            assertEquals(
                    "branch-c",
                    lookup(tables, ipv4("10.201.1.5", "10.203.200.1")).name());
            assertNull(lookup(tables, ipv4("10.201.1.5", "10.204.0.1")), "remote not covered");
            assertNull(lookup(tables, ipv4("10.9.0.5", "10.201.2.7")), "local not covered");
            assertNull(lookup(tables, ipv6("2001:db8:1::5", "2001:db8:3::7")), "remote not covered");
        }
    }

    @Test
    void perLaneSaForALaneBeyondTheLastIsRejectedNamingTheTunnelAndSpi() throws IOException {
        GatewayConfig lane5 =
                edited("spi: 4353 # 0x1101, in decimal\n            lane: 1", "spi: 4353\n            lane: 5");

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TunnelInstaller.build(lane5, LANES, channels));
        assertTrue(e.getMessage().contains("tunnel 'site-b'"), e.getMessage());
        assertTrue(e.getMessage().contains("0x1101"), e.getMessage());
        assertTrue(e.getMessage().contains("lane 5, but there are only 2 lanes"), e.getMessage());

        assertEquals(
                0x1101,
                target(TunnelInstaller.build(lane5, 8, channels).get(5), "site-b")
                        .outbound()
                        .spi(),
                "with 8 lanes the same configuration installs");
    }

    @Test
    void inboundSaOnALaneItsSpiDoesNotMapToIsRejectedNamingTheTunnelAndSpi() throws IOException {
        GatewayConfig wrongLane =
                edited("spi: 8449 # 0x2101, in decimal\n            lane: 1", "spi: 8449\n            lane: 0");

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TunnelInstaller.build(wrongLane, LANES, channels));
        assertTrue(e.getMessage().contains("tunnel 'site-b'"), e.getMessage());
        assertTrue(e.getMessage().contains("inbound SA 0x2101 is configured for lane 0"), e.getMessage());
        assertTrue(e.getMessage().contains("SPI mod 2 = 1"), e.getMessage());
    }

    // ---- a lane with these tables ----

    @Test
    void packetToARemoteSubnetLeavesAsEspInUdpThatThePeerDecrypts() throws Exception {
        Lane lane = startLane(0);
        ByteBuf packet = ipv4("10.201.1.5", "10.201.2.7");
        byte[] sent = ByteBufUtil.getBytes(packet);

        boolean flushedAtOnce = onLoop(() -> {
            lane.packetReceived(packet);
            return !sourcePort.get(0).outboundMessages().isEmpty();
        });
        assertFalse(flushedAtOnce, "written, but flushed only after the read batch");
        onLoop(() -> null); // the flush task queued behind the packet has run

        DatagramPacket datagram = sourcePort.get(0).readOutbound();
        try {
            assertNotNull(datagram, "site-b is multiport: lane 0 sends from its source-port socket");
            assertNothingWritten(natTPort.get(0));
            assertEquals(SITE_B, datagram.recipient());
            ByteBuf esp = datagram.content();
            assertEquals(0x1100, esp.getInt(esp.readerIndex()), "lane 0's own SA");
            assertEquals(1, esp.getInt(esp.readerIndex() + 4), "first sequence number");
            assertEquals(1, lane.counters().espSent());
            assertEquals(sent.length, lane.counters().espSentBytes());

            assertArrayEquals(sent, decryptAtPeer("site-b", esp, EspSa.NEXT_HEADER_IPV4));
        } finally {
            datagram.release();
        }
    }

    @Test
    void ipv6PacketLeavesWithNextHeader41() throws Exception {
        Lane lane = startLane(0);
        ByteBuf packet = ipv6("2001:db8:1::5", "2001:db8:2::7");
        byte[] sent = ByteBufUtil.getBytes(packet);

        sendAndFlush(lane, packet);

        DatagramPacket datagram = sourcePort.get(0).readOutbound();
        try {
            assertNotNull(datagram);
            assertArrayEquals(sent, decryptAtPeer("site-b", datagram.content(), EspSa.NEXT_HEADER_IPV6));
        } finally {
            datagram.release();
        }
    }

    @Test
    void lane0SendsTheOtherTunnelOnItsFallbackSaFromTheNatTPort() throws Exception {
        Lane lane = startLane(0);
        ByteBuf packet = ipv4("10.201.1.5", "10.203.200.1");
        byte[] sent = ByteBufUtil.getBytes(packet);

        sendAndFlush(lane, packet);

        DatagramPacket datagram = natTPort.get(0).readOutbound();
        try {
            assertNotNull(datagram, "branch-c is not multiport: sent from the NAT-T port");
            assertNothingWritten(sourcePort.get(0));
            assertEquals(BRANCH_C, datagram.recipient());
            assertEquals(0x3000, datagram.content().getInt(datagram.content().readerIndex()), "the fallback SA");
            assertArrayEquals(sent, decryptAtPeer("branch-c", datagram.content(), EspSa.NEXT_HEADER_IPV4));
        } finally {
            datagram.release();
        }
    }

    @Test
    void packetToAnUncoveredDestinationIsDroppedAndCountedAsNoPolicy() throws Exception {
        Lane lane = startLane(0);
        ByteBuf toNowhere = ipv4("10.201.1.5", "192.0.2.99");
        ByteBuf fromElsewhere = ipv4("10.9.0.5", "10.201.2.7");

        onLoop(() -> {
            lane.packetReceived(toNowhere);
            lane.packetReceived(fromElsewhere);
            return null;
        });
        onLoop(() -> null);

        assertEquals(2, lane.counters().drops(PathDrop.NO_POLICY));
        assertEquals(0, lane.counters().espSent());
        assertEquals(0, toNowhere.refCnt(), "released");
        assertEquals(0, fromElsewhere.refCnt(), "released");
        for (int k = 0; k < LANES; k++) {
            assertNothingWritten(natTPort.get(k));
            assertNothingWritten(sourcePort.get(k));
        }
    }

    @Test
    void peerLaneDeliversWhatThisLaneSentToItsTunAndRefusesATamperedCopy() throws Exception {
        Lane lane = startLane(0);
        ByteBuf packet = ipv4("10.201.1.5", "10.201.2.7");
        byte[] sent = ByteBufUtil.getBytes(packet);
        sendAndFlush(lane, packet);
        DatagramPacket datagram = sourcePort.get(0).readOutbound();
        assertNotNull(datagram);

        GatewayConfig peerConfig = peerOf(config, "site-b");
        Lane.Tables peerTables =
                TunnelInstaller.build(peerConfig, LANES, (k, m) -> null).get(0);
        Lane peer = new Lane(0, loop);
        RecordingTun tun = new RecordingTun(loop);
        onLoop(() -> {
            peer.install(peerTables);
            peer.attach(tun);
            return null;
        });
        EmbeddedChannel peerSocket = new EmbeddedChannel(peer.blackHandler());
        InetSocketAddress us = new InetSocketAddress("192.0.2.1", 50123);
        ByteBuf tampered = datagram.content().copy();
        tampered.setByte(tampered.writerIndex() - 20, tampered.getByte(tampered.writerIndex() - 20) ^ 1);
        onLoop(() -> {
            peerSocket.writeInbound(new DatagramPacket(tampered, SITE_B, us));
            peerSocket.writeInbound(new DatagramPacket(datagram.content(), SITE_B, us));
            return null;
        });

        assertEquals(1, peer.counters().drops(DropReason.BAD_ICV));
        assertEquals(1, peer.counters().espReceived());
        assertEquals(0, peer.counters().drops(PathDrop.POLICY_MISMATCH));
        assertEquals(1, tun.written.size());
        assertArrayEquals(sent, tun.written.get(0));
        assertFalse(peerSocket.finishAndReleaseAll());
    }

    // ---- helpers ----

    private GatewayConfig edited(String from, String to) throws IOException {
        String yaml = ExampleConfig.text();
        assertTrue(yaml.contains(from), from);
        Path file = dir.resolve("gateway.yml");
        Files.writeString(file, yaml.replace(from, to));
        return GatewayConfigLoader.load(file);
    }

    private static TunnelLane target(Lane.Tables tables, String tunnel) {
        return tables.spdTargets().stream()
                .filter(t -> t.name().equals(tunnel))
                .findFirst()
                .orElseThrow();
    }

    private static TunnelLane lookup(Lane.Tables tables, ByteBuf packet) {
        try {
            return tables.spd().lookup(packet, packet.readerIndex());
        } finally {
            packet.release();
        }
    }

    private Lane startLane(int index) throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        Lane lane = new Lane(index, loop);
        List<Lane.Tables> tables = TunnelInstaller.build(config, LANES, channels);
        onLoop(() -> {
            lane.install(tables.get(index));
            return null;
        });
        return lane;
    }

    /** Runs {@code task} on the lane's loop and waits for it (and so for every task queued before it). */
    /** Hands {@code packet} to the lane as its TUN queue would, then lets the queued flush run. */
    private void sendAndFlush(Lane lane, ByteBuf packet) throws Exception {
        onLoop(() -> {
            lane.packetReceived(packet);
            return null;
        });
        onLoop(() -> null);
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        Future<T> done = loop.submit(task);
        assertTrue(done.await(5, TimeUnit.SECONDS), "the loop ran the task");
        if (!done.isSuccess()) {
            throw new AssertionError("task failed on the loop", done.cause());
        }
        return done.getNow();
    }

    private static void assertNothingWritten(Channel channel) {
        EmbeddedChannel embedded = (EmbeddedChannel) channel;
        Object message = embedded.readOutbound();
        if (message != null) {
            io.netty.util.ReferenceCountUtil.release(message);
            throw new AssertionError("unexpected datagram on " + channel);
        }
    }

    /**
     * Decrypts {@code esp} (left untouched) with the inbound SA that the peer of {@code tunnel},
     * configured as this side's mirror image, installs on the lane its SPI maps to.
     */
    private byte[] decryptAtPeer(String tunnel, ByteBuf esp, int nextHeader) {
        List<Lane.Tables> peer = TunnelInstaller.build(peerOf(config, tunnel), LANES, (k, m) -> null);
        int spi = esp.getInt(esp.readerIndex());
        Lane.Inbound inbound = peer.get(SpiAllocator.laneOf(spi, LANES)).sad().get(spi);
        assertNotNull(inbound, "the peer has an inbound SA 0x" + Integer.toHexString(spi));
        assertEquals(tunnel, inbound.tunnel().name());
        ByteBuf copy = esp.copy();
        try {
            assertEquals(DropReason.NONE, inbound.sa().decapsulate(copy));
            assertEquals(nextHeader, inbound.sa().lastNextHeader());
            return ByteBufUtil.getBytes(copy);
        } finally {
            copy.release();
        }
    }

    /**
     * The peer's configuration for one tunnel: its black address is the tunnel's remote address, its
     * subnets are the tunnel's remote ones and the other way round, and it sends on the SAs this side
     * receives on and receives on the SAs this side sends on (same SPIs, keys and lanes).
     */
    static GatewayConfig peerOf(GatewayConfig ours, String name) {
        TunnelConfig tunnel = ours.tunnels().stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow();
        ManualKeying keying = tunnel.manual();
        TunnelConfig mirrored = new TunnelConfig(
                name,
                ours.black().address(),
                ours.black().port(),
                tunnel.remoteTs(),
                tunnel.localTs(),
                tunnel.multiport(),
                new ManualKeying(
                        keying.suite(), keying.esn(), keying.replayWindow(), keying.inbound(), keying.outbound()));
        GatewayConfig.Black black = new GatewayConfig.Black(
                tunnel.remoteAddress(),
                tunnel.remotePort(),
                null,
                null,
                ours.black().keepalive(),
                ours.black().gso());
        return new GatewayConfig(ours.lanes(), black, ours.red(), List.of(mirrored), null, null);
    }

    /** An IPv4/UDP packet with the headroom and tailroom that ESP in place needs, as a TUN read gives it. */
    static ByteBuf ipv4(String source, String destination) {
        byte[] payload = ("from " + source + " to " + destination).getBytes(StandardCharsets.US_ASCII);
        int total = 20 + 8 + payload.length;
        ByteBuf packet = withRoom(total);
        packet.writeByte(0x45)
                .writeByte(0)
                .writeShort(total)
                .writeInt(0)
                .writeByte(64)
                .writeByte(17);
        packet.writeShort(0);
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString(source));
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString(destination));
        return packet.writeShort(40000)
                .writeShort(5001)
                .writeShort(8 + payload.length)
                .writeShort(0)
                .writeBytes(payload);
    }

    /** An IPv6/UDP packet, with room for ESP. */
    static ByteBuf ipv6(String source, String destination) {
        byte[] payload = ("from " + source + " to " + destination).getBytes(StandardCharsets.US_ASCII);
        ByteBuf packet = withRoom(40 + 8 + payload.length);
        packet.writeInt(0x6000_0000)
                .writeShort(8 + payload.length)
                .writeByte(17)
                .writeByte(64);
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString(source));
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString(destination));
        return packet.writeShort(40000)
                .writeShort(5001)
                .writeShort(8 + payload.length)
                .writeShort(0)
                .writeBytes(payload);
    }

    private static ByteBuf withRoom(int length) {
        ByteBuf packet = Unpooled.directBuffer(EspSa.HEADROOM + length + EspSa.TAILROOM);
        packet.writerIndex(EspSa.HEADROOM).readerIndex(EspSa.HEADROOM);
        return packet;
    }

    /** A TUN queue that keeps what is written to it. */
    private static final class RecordingTun implements TunQueueIo {
        final List<byte[]> written = new ArrayList<>();
        private final IoEventLoop loop;

        RecordingTun(IoEventLoop loop) {
            this.loop = loop;
        }

        @Override
        public boolean write(ByteBuf packet) {
            written.add(ByteBufUtil.getBytes(packet));
            packet.release();
            return true;
        }

        @Override
        public TunQueue queue() {
            throw new UnsupportedOperationException();
        }

        @Override
        public IoEventLoop eventLoop() {
            return loop;
        }

        @Override
        public TunQueueCounters counters() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}

        @Override
        public Future<Void> closeFuture() {
            return loop.newSucceededFuture(null);
        }
    }
}
