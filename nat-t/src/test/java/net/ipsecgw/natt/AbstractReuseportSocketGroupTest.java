package net.ipsecgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.ipsecgw.natt.sys.SyscallException;
import net.ipsecgw.natt.sys.Syscalls;
import net.ipsecgw.testing.Privileges;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SO_REUSEPORT group and its SPI steering, through the real kernel on 127.0.0.1 (an ephemeral
 * port, so parallel builds do not collide). One subclass per transport.
 */
abstract class AbstractReuseportSocketGroupTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final String IKE_HEADER_AFTER_SPI = "0000000000000000" + "21202208" + "00000000" + "0000001c";

    private final List<MultiThreadIoEventLoopGroup> loopGroups = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Queue<String> arrivals = new ConcurrentLinkedQueue<>();
    private final Semaphore arrived = new Semaphore(0);

    /** The transport under test. */
    protected abstract UdpTransport transport();

    @BeforeEach
    void requireTransport() {
        Privileges.require(
                transport().isAvailable(),
                transport() + " transport unavailable: " + transport().unavailabilityCause());
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        for (MultiThreadIoEventLoopGroup group : loopGroups) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void steersEachSpiToLaneSpiModNWithFourLanes() throws Exception {
        assertSteering(4);
    }

    @Test
    void steersEachSpiToLaneSpiModNWithThreeLanes() throws Exception {
        assertSteering(3); // not a power of two: a mask instead of a modulo would fail here
    }

    @Test
    void singleLaneGetsEverything() throws Exception {
        assertSteering(1);
    }

    @Test
    void allSocketsShareOnePortInLaneOrderOnTheirOwnLoops() throws Exception {
        List<EventLoop> loops = loops(3);
        ReuseportSocketGroup group = bindGroup(loops, DatagramBatching.DEFAULT);
        assertEquals(3, group.lanes());
        for (int lane = 0; lane < 3; lane++) {
            DatagramChannel channel = group.channel(lane);
            assertInstanceOf(transport().datagramChannelClass(), channel);
            assertEquals(group.localAddress(), channel.localAddress());
            assertTrue(loops.get(lane) == channel.eventLoop(), "lane " + lane + " on its own event loop");
        }
        assertTrue(group.localAddress().getPort() > 0);
        assertTrue(group.isIntact());
        group.channel(1).close().sync();
        assertFalse(group.isIntact());
    }

    @Test
    void ipv4SocketsSendWithAZeroUdpChecksum() throws Exception {
        ReuseportSocketGroup group = bindGroup(loops(2), DatagramBatching.DEFAULT);
        for (int lane = 0; lane < 2; lane++) {
            int fd = UdpTransport.fd(group.channel(lane));
            // RFC 3948 §2.1: SO_NO_CHECK set, so the kernel puts 0 in the UDP checksum field.
            assertEquals(1, Syscalls.getsockoptInt(fd, 1, UdpEncapsulation.SO_NO_CHECK, "getsockopt(SO_NO_CHECK)"));
        }
    }

    @Test
    void socketsForSegmentedSendsKeepTheUdpChecksumAndSendOneGsoWriteAsManyDatagrams() throws Exception {
        Assumptions.assumeTrue(
                transport().supportsSegmentedDatagrams(), transport() + " cannot send segmented datagrams here");
        ReuseportSocketGroup gso = bindGroup(loops(2), DatagramBatching.DEFAULT, true);
        for (int lane = 0; lane < 2; lane++) {
            int fd = UdpTransport.fd(gso.channel(lane));
            // The kernel refuses UDP_SEGMENT on a socket with SO_NO_CHECK: the checksum stays on.
            assertEquals(0, Syscalls.getsockoptInt(fd, 1, UdpEncapsulation.SO_NO_CHECK, "getsockopt(SO_NO_CHECK)"));
        }
        try (java.nio.channels.DatagramChannel receiver = java.nio.channels.DatagramChannel.open()) {
            receiver.bind(ANY_LOOPBACK_PORT);
            InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
            // Three segments of 100 octets and a last one of 40: four datagrams.
            ChannelFuture sent =
                    gso.channel(1).writeAndFlush(new SegmentedDatagramPacket(segments(3, 100, 40), 100, to));
            assertTrue(sent.await(5, TimeUnit.SECONDS));
            assertTrue(sent.isSuccess(), () -> "segmented send failed: " + sent.cause());
            receiver.socket().setSoTimeout(5000);
            java.net.DatagramPacket datagram = new java.net.DatagramPacket(new byte[2048], 2048);
            for (int i = 0; i < 4; i++) {
                receiver.socket().receive(datagram);
                assertEquals(i < 3 ? 100 : 40, datagram.getLength(), "datagram " + i);
                assertEquals(i, datagram.getData()[0], "datagram " + i + " in order");
                assertEquals(gso.localAddress(), datagram.getSocketAddress());
            }
        }
    }

    @Test
    void kernelRefusesASegmentedSendFromASocketThatSendsWithoutChecksum() throws Exception {
        Assumptions.assumeTrue(
                transport().supportsSegmentedDatagrams(), transport() + " cannot send segmented datagrams here");
        ReuseportSocketGroup plain = bindGroup(loops(1), DatagramBatching.DEFAULT, false);
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9); // never sent
        ChannelFuture sent =
                plain.channel(0).writeAndFlush(new SegmentedDatagramPacket(segments(2, 100, 100), 100, to));
        assertTrue(sent.await(5, TimeUnit.SECONDS));
        assertFalse(sent.isSuccess(), "UDP_SEGMENT with SO_NO_CHECK");
        assertTrue(String.valueOf(sent.cause()).contains("Invalid argument"), "EINVAL: " + sent.cause());
    }

    /** {@code full} segments of {@code size} octets and one of {@code last}; each starts with its number. */
    private static ByteBuf segments(int full, int size, int last) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(full * size + last);
        for (int i = 0; i <= full; i++) {
            int length = i < full ? size : last;
            buf.writeByte(i).writeZero(length - 1);
        }
        return buf;
    }

    @Test
    void configuresBatchedReads() throws Exception {
        DatagramBatching batching = new DatagramBatching(1600, 16, 4, 1 << 20);
        // Linux caps SO_RCVBUF at net.core.rmem_max and reports twice what it granted.
        // (readAllLines: Files.readString trusts procfs's zero file size and reads a single octet.)
        int rmemMax = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max"))
                .getFirst()
                .trim());
        int granted = 2 * Math.min(1 << 20, rmemMax);
        ReuseportSocketGroup group = bindGroup(loops(2), batching);
        for (int lane = 0; lane < 2; lane++) {
            DatagramChannel channel = group.channel(lane);
            assertEquals(1600, channel.config().getOption(transport().maxDatagramPayloadSize()));
            FixedRecvByteBufAllocator allocator = assertInstanceOf(
                    FixedRecvByteBufAllocator.class, channel.config().getRecvByteBufAllocator());
            assertEquals(64, allocator.maxMessagesPerRead());
            assertEquals(Boolean.TRUE, channel.config().getOption(UnixChannelOption.SO_REUSEPORT));
            assertEquals(granted, channel.config().getOption(ChannelOption.SO_RCVBUF));
        }
    }

    @Test
    void readsAQueuedBurstInBatches() throws Exception {
        // While lane 1's event loop is held, 64 datagrams queue in its socket. Released, the lane reads
        // them. Batched (one recvmmsg, or one chain of io_uring recvmsg), the datagrams of a batch sit
        // one slot after another in one receive buffer; read one by one, each starts its own buffer.
        List<EventLoop> loops = loops(2);
        AtomicInteger inLaterSlot = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(64);
        ReuseportSocketGroup group = ReuseportSocketGroup.bind(
                transport(),
                loops,
                ANY_LOOPBACK_PORT,
                DatagramBatching.DEFAULT,
                lane -> new SlotRecorder(inLaterSlot, all));
        closeables.add(group);

        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loops.get(1).execute(() -> {
            held.countDown();
            awaitQuietly(release);
        });
        assertTrue(held.await(5, TimeUnit.SECONDS));
        try (java.nio.channels.DatagramChannel sender = sender(group)) {
            for (int i = 0; i < 64; i++) {
                sender.write(ByteBuffer.wrap(esp(2 * i + 1001, i)));
            }
        }
        release.countDown();
        assertTrue(all.await(10, TimeUnit.SECONDS), "only " + (64 - all.getCount()) + " of 64 arrived");
        // epoll: two recvmmsg of 32 give 62; io_uring's first chain may be short, the later ones full.
        assertTrue(inLaterSlot.get() >= 32, inLaterSlot.get() + " of 64 datagrams shared a receive buffer");
    }

    @Test
    void bindFailureClosesTheSocketsAlreadyBound() throws Exception {
        try (java.net.DatagramSocket squatter = new java.net.DatagramSocket(ANY_LOOPBACK_PORT)) {
            InetSocketAddress taken = new InetSocketAddress(InetAddress.getLoopbackAddress(), squatter.getLocalPort());
            assertThrows(
                    Exception.class,
                    () -> ReuseportSocketGroup.bind(
                            transport(),
                            loops(2),
                            taken,
                            DatagramBatching.DEFAULT,
                            lane -> new ChannelInboundHandlerAdapter()));
        }
    }

    @Test
    void kernelRefusesTheProgramOnASocketWithoutReuseport() throws Exception {
        DatagramChannel plain = (DatagramChannel) new Bootstrap()
                .group(loops(1).getFirst())
                .channel(transport().datagramChannelClass())
                .handler(new ChannelInboundHandlerAdapter())
                .bind(ANY_LOOPBACK_PORT)
                .sync()
                .channel();
        closeables.add(() -> plain.close().sync());
        SyscallException refused =
                assertThrows(SyscallException.class, () -> ReuseportSpiSteering.attach(UdpTransport.fd(plain), 2));
        assertEquals(22, refused.errno(), refused.getMessage()); // EINVAL: not in a reuseport group
    }

    private void assertSteering(int lanes) throws Exception {
        ReuseportSocketGroup group = bindGroup(loops(lanes), DatagramBatching.DEFAULT);
        List<byte[]> datagrams = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        addEspDatagrams(lanes, datagrams, expected);
        for (int i = 0; i < 4; i++) {
            add(datagrams, expected, 0, new byte[] {(byte) 0xFF}); // keepalive: load past the end -> 0
            add(datagrams, expected, 0, HexFormat.of().parseHex("00000000" + "0000000" + i + IKE_HEADER_AFTER_SPI));
        }
        add(datagrams, expected, 0, HexFormat.of().parseHex("abcd")); // 2 octets: aborts too
        add(datagrams, expected, 0, HexFormat.of().parseHex("123456")); // 3 octets

        send(group, datagrams);

        Collections.sort(expected);
        List<String> received = new ArrayList<>(arrivals);
        Collections.sort(received);
        assertEquals(expected, received);
    }

    /** ESP datagrams for SPIs of every lane: allocated ones, random ones and the edges of the SPI space. */
    private static void addEspDatagrams(int lanes, List<byte[]> datagrams, List<String> expected) {
        SpiAllocator allocator = new SpiAllocator(lanes, new SplittableRandom(lanes));
        SplittableRandom random = new SplittableRandom(42);
        List<Integer> spis =
                new ArrayList<>(List.of(256, 257, 258, 259, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF));
        for (int i = 0; i < 64; i++) {
            spis.add(allocator.allocate(i % lanes));
            spis.add(random.nextInt() | 0x100);
        }
        int sequence = 1;
        for (int spi : spis) {
            add(datagrams, expected, Integer.remainderUnsigned(spi, lanes), esp(spi, sequence++));
        }
    }

    private static void add(List<byte[]> datagrams, List<String> expected, int lane, byte[] payload) {
        datagrams.add(payload);
        expected.add(lane + ":" + HexFormat.of().formatHex(payload));
    }

    private static byte[] esp(int spi, int sequence) {
        return ByteBuffer.allocate(24).putInt(spi).putInt(sequence).array(); // + 16 octets standing in for IV/ICV
    }

    /** Sends in chunks and waits for each chunk, so that no socket buffer can overflow. */
    private void send(ReuseportSocketGroup group, List<byte[]> datagrams) throws Exception {
        try (java.nio.channels.DatagramChannel sender = sender(group)) {
            for (int from = 0; from < datagrams.size(); from += 32) {
                int to = Math.min(datagrams.size(), from + 32);
                for (byte[] datagram : datagrams.subList(from, to)) {
                    sender.write(ByteBuffer.wrap(datagram));
                }
                assertTrue(
                        arrived.tryAcquire(to - from, 10, TimeUnit.SECONDS), "datagrams " + from + "-" + to + " lost");
            }
        }
        assertFalse(arrived.tryAcquire(1, 100, TimeUnit.MILLISECONDS), "a datagram arrived twice");
    }

    private static java.nio.channels.DatagramChannel sender(ReuseportSocketGroup group) throws IOException {
        java.nio.channels.DatagramChannel sender = java.nio.channels.DatagramChannel.open();
        sender.connect(group.localAddress());
        return sender;
    }

    private ReuseportSocketGroup bindGroup(List<EventLoop> loops, DatagramBatching batching) throws Exception {
        ReuseportSocketGroup group =
                ReuseportSocketGroup.bind(transport(), loops, ANY_LOOPBACK_PORT, batching, LaneRecorder::new);
        closeables.add(group);
        return group;
    }

    private ReuseportSocketGroup bindGroup(List<EventLoop> loops, DatagramBatching batching, boolean segmentedSends)
            throws Exception {
        ReuseportSocketGroup group = ReuseportSocketGroup.bind(
                transport(), loops, ANY_LOOPBACK_PORT, batching, segmentedSends, LaneRecorder::new);
        closeables.add(group);
        return group;
    }

    private List<EventLoop> loops(int lanes) {
        MultiThreadIoEventLoopGroup group =
                new MultiThreadIoEventLoopGroup(lanes, transport().ioHandlerFactory());
        loopGroups.add(group);
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : group) {
            loops.add((EventLoop) executor);
        }
        return loops;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records "lane:payload-hex" for every datagram lane k's socket receives. */
    private final class LaneRecorder extends SimpleChannelInboundHandler<DatagramPacket> {
        private final int lane;

        LaneRecorder(int lane) {
            this.lane = lane;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            arrivals.add(lane + ":" + ByteBufUtil.hexDump(packet.content()));
            arrived.release();
        }
    }

    /** Counts the datagrams read into a later slot of a receive buffer, i.e. as part of a batch. */
    private static final class SlotRecorder extends SimpleChannelInboundHandler<DatagramPacket> {
        private final AtomicInteger inLaterSlot;
        private final CountDownLatch received;

        SlotRecorder(AtomicInteger inLaterSlot, CountDownLatch received) {
            this.inLaterSlot = inLaterSlot;
            this.received = received;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            ByteBuf root = content;
            while (root.unwrap() != null) {
                root = root.unwrap();
            }
            assertTrue(content.hasMemoryAddress() && root.hasMemoryAddress(), "native reads use direct buffers");
            if (content.memoryAddress() != root.memoryAddress()) {
                inLaterSlot.incrementAndGet();
            }
            received.countDown();
        }
    }
}
