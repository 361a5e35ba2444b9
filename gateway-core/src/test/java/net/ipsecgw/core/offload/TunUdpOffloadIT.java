package net.ipsecgw.core.offload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.ipsecgw.testing.NetworkNamespace;
import net.ipsecgw.testing.Privileges;
import net.ipsecgw.testing.TestSubnet;
import net.ipsecgw.testing.VethLink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's side of UDP segmentation offload on the TUN device, inside test namespaces. The device is
 * opened as the gateway opens it ({@link TunOffloadControl#enableOffload(int)}); on a kernel without USO
 * (before 6.2) the tests are skipped.
 *
 * <p>Read side: a socket in the namespace sends one buffer with {@code UDP_SEGMENT} to an address routed
 * into the device; it must arrive as one {@link VirtioNetHeader#GSO_UDP_L4} read, which
 * {@link GsoSegmenter} must cut into exactly the datagrams sent, with valid checksums.
 *
 * <p>Write side: datagrams built here go through {@link GroCoalescer} and are written as one
 * super-packet, which the namespace forwards. (1) To a second TUN device without offloads: there the
 * kernel itself must cut it and compute every checksum from the partial sum the coalescer left, and what
 * it hands out must be the datagrams that went in, UDP header and checksum byte for byte. (Over veth
 * the partial checksum would travel on unverified, so a socket receiving the datagrams proves the
 * lengths and the segmentation, not the checksum.) (2) Over veth to a socket in a namespace beyond the
 * device, which must receive every datagram; and a socket there with {@code UDP_GRO} must receive the
 * super-packet as one buffer.
 */
class TunUdpOffloadIT {
    private static final String NAME = "gwuso0";
    private static final String PLAIN = "gwuso1";
    private static final int PORT = 4433;
    private static final int SIZE = 1372;

    private NetworkNamespace ns;
    private NetworkNamespace far;
    private VnetTun tun;
    private VnetTun plain;
    private final byte[] in = new byte[1 << 17];
    private final VirtioNetHeader header = new VirtioNetHeader();
    private final GsoSegmenter segmenter = new GsoSegmenter(PooledByteBufAllocator.DEFAULT, 32, 16);

    @BeforeEach
    void createTun() throws Exception {
        Privileges.requireRoot("TUN devices with offloads");
        Privileges.requireProgram("ip", "iproute2");
        ns = NetworkNamespace.create();
        tun = ns.call(() -> VnetTun.open(NAME));
        assumeTrue(
                TunOffloadControl.udpSegmentation(tun.offloads()),
                "the kernel refused USO: " + TunOffloadControl.describe(tun.offloads()));
        assertEquals(TunOffloadControl.TCP_UDP_OFFLOADS, tun.offloads());
        ns.ip("link", "set", NAME, "mtu", "1500", "up");
    }

    @AfterEach
    void deleteNamespaces() throws Throwable {
        try {
            for (VnetTun device : new VnetTun[] {tun, plain}) {
                if (device != null) {
                    device.close();
                }
            }
        } finally {
            for (NetworkNamespace n : new NetworkNamespace[] {ns, far}) {
                if (n != null) {
                    n.close();
                }
            }
        }
    }

    @Test
    void ipv4UdpSegmentSendIsReadAsOneSuperPacketAndSegmentsIntoTheDatagrams() throws Throwable {
        TestSubnet subnet = TestSubnet.next();
        ns.ip("addr", "add", subnet.firstWithPrefix(), "dev", NAME);
        readSide(subnet.second(), 40 * SIZE + 500);
    }

    @Test
    void theLargestIpv4SendIsOneReadOf65545Bytes() throws Throwable {
        // 65,507 bytes of UDP payload: a 65,535-byte IP packet behind the virtio header. The gateway's
        // TUN reads must take 65,545 bytes, or such a send is cut short and refused as malformed.
        TestSubnet subnet = TestSubnet.next();
        ns.ip("addr", "add", subnet.firstWithPrefix(), "dev", NAME);
        readSide(subnet.second(), 65_507);
    }

    @Test
    void ipv6UdpSegmentSendIsReadAsOneSuperPacketAndSegmentsIntoTheDatagrams() throws Throwable {
        ns.ip("-6", "addr", "add", "fd00:211:7::1/126", "dev", NAME, "nodad");
        readSide(InetAddress.getByName("fd00:211:7::2"), 30 * SIZE + 1);
    }

    @Test
    void ipv4SuperPacketIsCutByTheKernelIntoTheDatagramsWithTheirChecksums() throws Throwable {
        TestSubnet outer = TestSubnet.next();
        TestSubnet beyond = TestSubnet.next();
        ns.ip("addr", "add", outer.firstWithPrefix(), "dev", NAME);
        openPlain(beyond.firstWithPrefix(), false);
        kernelSegmentation(outer.second(), beyond.second());
    }

    @Test
    void ipv6SuperPacketIsCutByTheKernelIntoTheDatagramsWithTheirChecksums() throws Throwable {
        ns.ip("-6", "addr", "add", "fd00:211:7::1/126", "dev", NAME, "nodad");
        openPlain("fd00:211:8::1/126", true);
        kernelSegmentation(InetAddress.getByName("fd00:211:7::2"), InetAddress.getByName("fd00:211:8::2"));
    }

    @Test
    void ipv4SuperPacketReachesASocketBeyondTheTunAsDatagramsOrWithUdpGroAsOne() throws Throwable {
        TestSubnet outer = TestSubnet.next();
        ns.ip("addr", "add", outer.firstWithPrefix(), "dev", NAME);
        VethLink link = connectFar();
        far.ip(
                "route",
                "add",
                outer.network().getHostAddress() + "/30",
                "via",
                link.subnet().first().getHostAddress());
        beyondTheTun(outer.second(), link.subnet().second());
    }

    @Test
    void ipv6SuperPacketReachesASocketBeyondTheTunAsDatagramsOrWithUdpGroAsOne() throws Throwable {
        ns.ip("-6", "addr", "add", "fd00:211:7::1/126", "dev", NAME, "nodad");
        VethLink link = connectFar();
        ns.ip("-6", "addr", "add", "fd00:211:9::1/126", "dev", link.leftName(), "nodad");
        far.ip("-6", "addr", "add", "fd00:211:9::2/126", "dev", link.rightName(), "nodad");
        far.ip("-6", "route", "add", "fd00:211:7::/126", "via", "fd00:211:9::1");
        beyondTheTun(InetAddress.getByName("fd00:211:7::2"), InetAddress.getByName("fd00:211:9::2"));
    }

    /** Sends {@code length} bytes with UDP_SEGMENT to {@code peer} and checks the read and its datagrams. */
    private void readSide(InetAddress peer, int length) throws Throwable {
        boolean v6 = peer.getAddress().length == 16;
        int ipLength = v6 ? 40 : 20;
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = TcpPackets.payloadByte(i);
        }
        try (RawUdpSocket sender = ns.call(() -> RawUdpSocket.open(v6))) {
            sender.setOption(RawUdpSocket.IPPROTO_UDP, RawUdpSocket.UDP_SEGMENT, SIZE);
            sender.send(data, length, new InetSocketAddress(peer, PORT));
        }
        ByteBuf read = awaitUdp(tun, true, peer, 3000);
        assertTrue(read != null, "nothing read for " + peer);
        header.decode(read, 0);
        read.skipBytes(VirtioNetHeader.SIZE);
        assertEquals(ipLength + 8 + length, read.readableBytes(), "one read of the whole send: " + header);
        assertEquals(VirtioNetHeader.FLAG_NEEDS_CSUM, header.flags(), header.toString());
        assertEquals(VirtioNetHeader.GSO_UDP_L4, header.gsoType(), header.toString());
        assertEquals(SIZE, header.gsoSize(), header.toString());
        assertEquals(ipLength, header.csumStart(), header.toString());
        assertEquals(6, header.csumOffset(), header.toString());
        assertEquals(ipLength + 8, header.hdrLen(), header.toString());
        int firstId = read.getUnsignedShort(read.readerIndex() + 4);

        List<ByteBuf> datagrams = new ArrayList<>();
        int count = (length + SIZE - 1) / SIZE;
        assertEquals(count, segmenter.segment(header, read, datagrams::add));
        try {
            for (int i = 0; i < count; i++) {
                ByteBuf d = Unpooled.copiedBuffer(datagrams.get(i));
                int payload = Math.min(SIZE, length - i * SIZE);
                UdpPackets.assertValid(d);
                UdpPackets.assertPayload(d, (long) i * SIZE, payload);
                assertEquals(PORT, d.getUnsignedShort(UdpPackets.udpAt(d, 2)));
                if (!v6) {
                    assertEquals((firstId + i) & 0xffff, d.getUnsignedShort(4), "IPv4 id of datagram " + i);
                }
            }
        } finally {
            datagrams.forEach(ByteBuf::release);
        }
    }

    /** Writes a coalesced super-packet from {@code source} to {@code destination}, routed into the plain TUN. */
    private void kernelSegmentation(InetAddress source, InetAddress destination) throws Throwable {
        enableForwarding();
        List<ByteBuf> originals = datagrams(source, destination, PORT, 20, 1200, 700);
        writeCoalesced(originals);
        try {
            for (ByteBuf original : originals) {
                ByteBuf d = awaitUdp(plain, false, destination, 3000);
                assertTrue(d != null, "the kernel handed out fewer datagrams than went in");
                UdpPackets.assertValid(d);
                int udp = UdpPackets.udpOffset(d);
                assertEquals(
                        ByteBufUtil.hexDump(original, original.readerIndex() + udp, 8),
                        ByteBufUtil.hexDump(d, udp, 8),
                        "UDP header, checksum included");
                assertEquals(
                        original.slice(original.readerIndex() + udp, original.readableBytes() - udp),
                        d.slice(udp, d.readableBytes() - udp));
                if (UdpPackets.isV4(d)) {
                    assertEquals(
                            original.getUnsignedShort(original.readerIndex() + 4), d.getUnsignedShort(4), "IPv4 id");
                    assertEquals(63, d.getUnsignedByte(8), "TTL, one hop on");
                } else {
                    assertEquals(63, d.getUnsignedByte(7), "hop limit, one hop on");
                }
            }
            assertEquals(null, awaitUdp(plain, false, destination, 200), "no more datagrams than went in");
        } finally {
            originals.forEach(ByteBuf::release);
        }
    }

    /** Writes coalesced super-packets to a socket beyond the TUN: plain, then with UDP_GRO. */
    private void beyondTheTun(InetAddress source, InetAddress receiver) throws Throwable {
        enableForwarding();
        boolean v6 = receiver.getAddress().length == 16;
        int count = 20;
        try (RawUdpSocket plainSocket = far.call(() -> bound(v6, receiver, PORT));
                RawUdpSocket groSocket = far.call(() -> bound(v6, receiver, PORT + 1))) {
            groSocket.setOption(RawUdpSocket.IPPROTO_UDP, RawUdpSocket.UDP_GRO, 1);

            List<ByteBuf> toPlain = datagrams(source, receiver, PORT, count, 1200, 700);
            byte[][] expected = payloads(toPlain);
            writeCoalesced(toPlain);
            for (int i = 0; i < count; i++) {
                byte[] got = awaitDatagram(plainSocket);
                assertArrayEquals(expected[i], got, "datagram " + i);
            }
            assertEquals(-1, plainSocket.receive(in), "no more datagrams than went in");

            List<ByteBuf> toGro = datagrams(source, receiver, PORT + 1, count, 1200, 700);
            byte[][] each = payloads(toGro);
            writeCoalesced(toGro);
            byte[] whole = awaitDatagram(groSocket);
            assertArrayEquals(concatenate(each), whole, "the super-packet arrives as one buffer");
        }
    }

    private static RawUdpSocket bound(boolean v6, InetAddress address, int port) throws Exception {
        try {
            RawUdpSocket socket = RawUdpSocket.open(v6);
            socket.bind(address, port);
            return socket;
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private byte[] awaitDatagram(RawUdpSocket socket) throws Throwable {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < deadline) {
            int n = socket.receive(in);
            if (n >= 0) {
                return Arrays.copyOf(in, n);
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no datagram within 3 s");
    }

    private static byte[][] payloads(List<ByteBuf> datagrams) {
        byte[][] out = new byte[datagrams.size()][];
        for (int i = 0; i < out.length; i++) {
            ByteBuf d = datagrams.get(i);
            out[i] = new byte[UdpPackets.payloadLength(d)];
            d.getBytes(d.writerIndex() - out[i].length, out[i]);
        }
        return out;
    }

    private static byte[] concatenate(byte[][] parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /**
     * {@code count} datagrams of one flow with complete checksums, consecutive IPv4 ids and DF, TTL 64:
     * {@code size} payload bytes each, the last {@code last}; room for a virtio header before each.
     */
    private static List<ByteBuf> datagrams(
            InetAddress source, InetAddress destination, int port, int count, int size, int last) {
        boolean v6 = source.getAddress().length == 16;
        List<ByteBuf> out = new ArrayList<>();
        long from = 0;
        for (int i = 0; i < count; i++) {
            int length = i < count - 1 ? size : last;
            ByteBuf p = v6 ? UdpPackets.ipv6(from, length, 0) : UdpPackets.ipv4(0x4000 + i, from, length, 0);
            int at = p.readerIndex();
            if (v6) {
                p.setInt(at, 0x6000_0000);
                p.setByte(at + 7, 64);
                p.setBytes(at + 8, source.getAddress());
                p.setBytes(at + 24, destination.getAddress());
            } else {
                p.setByte(at + 1, 0);
                p.setBytes(at + 12, source.getAddress());
                p.setBytes(at + 16, destination.getAddress());
            }
            p.setShort(UdpPackets.udpAt(p, 0), 40000);
            p.setShort(UdpPackets.udpAt(p, 2), port);
            out.add(UdpPackets.withChecksums(p));
            from += length;
        }
        return out;
    }

    /** Coalesces copies of {@code datagrams} into one super-packet and writes it to the offload TUN. */
    private void writeCoalesced(List<ByteBuf> datagrams) throws Throwable {
        List<ByteBuf> written = new ArrayList<>();
        GroCoalescer coalescer = new GroCoalescer(PooledByteBufAllocator.DEFAULT, 4, true, written::add);
        for (ByteBuf d : datagrams) {
            ByteBuf copy = Unpooled.buffer(VirtioNetHeader.SIZE + d.readableBytes());
            copy.writeZero(VirtioNetHeader.SIZE)
                    .readerIndex(VirtioNetHeader.SIZE)
                    .writeBytes(d, d.readerIndex(), d.readableBytes());
            coalescer.add(copy);
        }
        coalescer.flush();
        try {
            assertEquals(1, written.size(), "one super-packet");
            ByteBuf w = written.get(0);
            assertEquals(
                    VirtioNetHeader.GSO_UDP_L4,
                    header.decode(w, w.readerIndex()).gsoType());
            byte[] bytes = ByteBufUtil.getBytes(w);
            tun.write(bytes, bytes.length);
        } finally {
            written.forEach(ByteBuf::release);
        }
    }

    private void enableForwarding() {
        ns.run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        ns.run("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
    }

    private void openPlain(String addressWithPrefix, boolean v6) throws Exception {
        plain = ns.call(() -> VnetTun.plain(PLAIN));
        ns.ip("link", "set", PLAIN, "mtu", "1500", "up");
        if (v6) {
            ns.ip("-6", "addr", "add", addressWithPrefix, "dev", PLAIN, "nodad");
        } else {
            ns.ip("addr", "add", addressWithPrefix, "dev", PLAIN);
        }
    }

    private VethLink connectFar() {
        far = NetworkNamespace.create();
        return ns.connect(far);
    }

    /**
     * The next UDP packet to {@code destination} read from {@code device} (with its virtio header when
     * {@code vnet}), or null after {@code millis} without one.
     */
    private ByteBuf awaitUdp(VnetTun device, boolean vnet, InetAddress destination, long millis) throws Throwable {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        int skip = vnet ? VirtioNetHeader.SIZE : 0;
        while (System.nanoTime() < deadline) {
            int n = device.read(in);
            if (n < 0) {
                Thread.sleep(0, 100_000);
                continue;
            }
            ByteBuf p = Unpooled.copiedBuffer(in, 0, n);
            if (isUdpTo(p.slice(skip, n - skip), destination)) {
                return p;
            }
        }
        return null;
    }

    private static boolean isUdpTo(ByteBuf ip, InetAddress destination) {
        byte[] address = destination.getAddress();
        boolean v4 = address.length == 4;
        if (ip.readableBytes() < (v4 ? 28 : 48)
                || (ip.getUnsignedByte(0) >>> 4) != (v4 ? 4 : 6)
                || ip.getUnsignedByte(v4 ? 9 : 6) != 17) {
            return false;
        }
        byte[] found = new byte[address.length];
        ip.getBytes(v4 ? 16 : 24, found);
        return Arrays.equals(address, found);
    }
}
