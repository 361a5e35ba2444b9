package net.ipsecgw.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.testing.NetworkNamespace;
import net.ipsecgw.testing.Privileges;
import net.ipsecgw.testing.TestSubnet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's side of TUN offloads, inside a test namespace: a TUN device with {@code IFF_VNET_HDR}
 * and {@code TUNSETOFFLOAD(CSUM | TSO4 | TSO6)} carries a route to a peer that this test plays by hand
 * (SYN-ACK, then an ACK for everything received). A local TCP socket streams to that peer; the reads
 * must then bring GSO super-packets, and {@link GsoSegmenter} must cut them into valid segments that
 * together carry exactly the bytes the socket sent.
 */
class TunTcpOffloadIT {
    private static final String NAME = "gwoff0";
    private static final int PORT = 5001;
    private static final int MSS = 1460;
    private static final int STREAM = 400_000;
    private static final long ISS = 0x7000_0000L;

    private NetworkNamespace ns;
    private VnetTun tun;
    private final byte[] in = new byte[1 << 17];
    private final byte[] out = new byte[1 << 17];
    private final VirtioNetHeader header = new VirtioNetHeader();
    private final GsoSegmenter segmenter = new GsoSegmenter(PooledByteBufAllocator.DEFAULT, 32, 16);

    @BeforeEach
    void createTun() throws Exception {
        Privileges.requireRoot("TUN devices with offloads");
        Privileges.requireProgram("ip", "iproute2");
        ns = NetworkNamespace.create();
        tun = ns.call(() -> {
            try {
                return VnetTun.open(NAME);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
        assertTrue(TunOffloadControl.vnetHeaderEnabled(tun.fd()));
        TunOffloadControl.enableTcpOffload(tun.fd());
        assertEquals(VirtioNetHeader.SIZE, TunOffloadControl.vnetHeaderSize(tun.fd()));
        ns.ip("link", "set", NAME, "mtu", "1500", "up");
    }

    @AfterEach
    void deleteNamespace() throws Throwable {
        try {
            if (tun != null) {
                tun.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @Test
    void ipv4StreamArrivesAsSuperPacketsThatSegmentIntoTheSentBytes() throws Throwable {
        TestSubnet subnet = TestSubnet.next();
        ns.ip("addr", "add", subnet.firstWithPrefix(), "dev", NAME);
        assertTrue(ns.ip("-d", "link", "show", NAME).contains("vnet_hdr on"));
        stream(subnet.second(), VirtioNetHeader.GSO_TCPV4);
    }

    @Test
    void ipv6StreamArrivesAsSuperPacketsThatSegmentIntoTheSentBytes() throws Throwable {
        ns.ip("-6", "addr", "add", "fd00:211:6::1/126", "dev", NAME, "nodad");
        stream(InetAddress.getByName("fd00:211:6::2"), VirtioNetHeader.GSO_TCPV6);
    }

    @Test
    void ipv4CoalescedSuperPacketsAreAcceptedAndDeliverTheStream() throws Throwable {
        TestSubnet subnet = TestSubnet.next();
        ns.ip("addr", "add", subnet.firstWithPrefix(), "dev", NAME);
        receive(subnet.first(), subnet.second());
    }

    @Test
    void ipv6CoalescedSuperPacketsAreAcceptedAndDeliverTheStream() throws Throwable {
        ns.ip("-6", "addr", "add", "fd00:211:6::1/126", "dev", NAME, "nodad");
        receive(InetAddress.getByName("fd00:211:6::1"), InetAddress.getByName("fd00:211:6::2"));
    }

    /**
     * The write side: this test is the sender. Its segments go through {@link TcpCoalescer} and are
     * written as GSO super-packets; a socket in the namespace must receive every byte in order.
     */
    private void receive(InetAddress local, InetAddress peer) throws Throwable {
        int batches = 4;
        int perBatch = 40;
        int segment = 1000;
        ServerSocketChannel server = ns.call(() -> {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(local, PORT));
            s.configureBlocking(false);
            return s;
        });
        try (server) {
            byte[] src = peer.getAddress();
            byte[] dst = local.getAddress();
            writeWithHeader(build(src, dst, 40000, PORT, ISS, 0, 0x02, true, 0, 0));
            ByteBuf synAck = awaitTcp(peer, 3000).skipBytes(VirtioNetHeader.SIZE);
            assertEquals(0x12, TcpPackets.flags(synAck), "SYN-ACK");
            long ack = TcpPackets.seq(synAck) + 1;
            writeWithHeader(build(src, dst, 40000, PORT, ISS + 1, ack, 0x10, false, 0, 0));
            long deadline = System.nanoTime() + 30_000_000_000L;
            SocketChannel accepted = server.accept();
            while (accepted == null) {
                assertTrue(System.nanoTime() < deadline, "accept");
                Thread.sleep(1);
                accepted = server.accept();
            }
            try (SocketChannel connection = accepted) {
                int superPackets = 0;
                List<ByteBuf> written = new ArrayList<>();
                TcpCoalescer coalescer = new TcpCoalescer(PooledByteBufAllocator.DEFAULT, 4, written::add);
                ByteBuffer received = ByteBuffer.allocate(batches * perBatch * segment);
                for (int b = 0; b < batches; b++) {
                    for (int i = 0; i < perBatch; i++) {
                        long offset = (long) (b * perBatch + i) * segment;
                        int flags = i == perBatch - 1 ? 0x18 : 0x10;
                        coalescer.add(
                                build(src, dst, 40000, PORT, ISS + 1 + offset, ack, flags, false, offset, segment));
                    }
                    coalescer.flush();
                    for (ByteBuf w : written) {
                        superPackets += header.decode(w, w.readerIndex()).gsoType() != VirtioNetHeader.GSO_NONE ? 1 : 0;
                        write(w);
                        w.release();
                    }
                    written.clear();
                    while (received.position() < (b + 1) * perBatch * segment) {
                        assertTrue(System.nanoTime() < deadline, "received " + received.position());
                        if (connection.read(received) == 0) {
                            Thread.sleep(1);
                        }
                    }
                }
                assertEquals(batches, superPackets, "one super-packet per batch");
                for (int i = 0; i < received.position(); i++) {
                    if (received.get(i) != TcpPackets.payloadByte(i)) {
                        assertEquals(TcpPackets.payloadByte(i), received.get(i), "byte " + i);
                    }
                }
            }
        }
    }

    private void stream(InetAddress peer, int expectedGso) throws Throwable {
        SocketChannel channel = ns.call(() -> {
            SocketChannel c = SocketChannel.open();
            c.configureBlocking(false);
            c.connect(new InetSocketAddress(peer, PORT));
            return c;
        });
        try (channel) {
            ByteBuf syn = awaitTcp(peer, 3000);
            syn.skipBytes(VirtioNetHeader.SIZE);
            assertEquals(0x02, TcpPackets.flags(syn), "a SYN first");
            long base = TcpPackets.seq(syn) + 1;
            reply(syn, ISS, base, 0x12, true);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!channel.finishConnect()) {
                assertTrue(System.nanoTime() < deadline, "handshake");
                Thread.sleep(1);
            }
            Flow flow = new Flow(base);
            ByteBuffer data = ByteBuffer.allocate(STREAM);
            for (int i = 0; i < STREAM; i++) {
                data.put(TcpPackets.payloadByte(i));
            }
            data.flip();
            while (flow.received < STREAM) {
                assertTrue(
                        System.nanoTime() < deadline,
                        () -> "stream: " + flow + " of " + STREAM + "\n" + ns.run("nstat", "-a")
                                + ns.run("ip", "-s", "-d", "link", "show", NAME) + ns.run("tc", "-s", "qdisc")
                                + ns.run("ss", "-tinem"));
                channel.write(data);
                ByteBuf packet = awaitTcp(peer, 20);
                if (packet == null) {
                    flow.quiet++;
                    continue;
                }
                header.decode(packet, 0);
                packet.skipBytes(VirtioNetHeader.SIZE);
                flow.reads++;
                flow.note(header, expectedGso);
                // Acknowledge at once: a slow first pass through the checks below must not look like
                // loss to the sender (its RTO is 200 ms after a namespace-fast handshake).
                long end = flow.offset(packet) + TcpPackets.payloadLength(packet);
                flow.acked = Math.max(flow.acked, end);
                reply(packet, ISS + 1, base + flow.acked, 0x10, false);
                List<ByteBuf> segments = new ArrayList<>();
                int count = segmenter.segment(header, packet, segments::add);
                assertTrue(count >= 1, "segmenter result " + count + " for " + header);
                for (ByteBuf s : segments) {
                    // Checked on a heap copy: byte-wise reads of a leak-tracked pooled buffer are slow
                    // under paranoid leak detection, slow enough to trip the sender's timers.
                    flow.check(Unpooled.copiedBuffer(s), header);
                    s.release();
                }
            }
            assertEquals(STREAM, flow.received);
            assertTrue(flow.superPackets > 0, "the kernel sent GSO super-packets: " + flow);
        }
    }

    /** What the stream looked like from the TUN side. */
    private static final class Flow {
        final long base;
        int received;
        long acked;
        int retransmitted;
        int reads;
        int quiet;
        int superPackets;
        int largest;

        Flow(long base) {
            this.base = base;
        }

        void note(VirtioNetHeader h, int expectedGso) {
            if (h.gsoProtocol() != VirtioNetHeader.GSO_NONE) {
                assertEquals(expectedGso, h.gsoProtocol(), h.toString());
                assertEquals(MSS - (expectedGso == VirtioNetHeader.GSO_TCPV6 ? 20 : 0), h.gsoSize(), h.toString());
                assertTrue(h.needsChecksum(), h.toString());
                assertEquals(16, h.csumOffset());
                superPackets++;
            }
        }

        void check(ByteBuf s, VirtioNetHeader h) {
            TcpPackets.assertValid(s);
            int length = TcpPackets.payloadLength(s);
            if (length == 0) {
                return;
            }
            assertTrue(length <= Math.max(h.gsoSize(), MSS), "segment of " + length);
            long offset = offset(s);
            assertTrue(offset <= received, "no gap: segment at " + offset + " after " + received);
            TcpPackets.assertPayload(s, offset, length);
            if (offset < received) {
                retransmitted++; // the sender's timers may still fire; the bytes must be the same
            }
            received = (int) Math.max(received, offset + length);
            largest = Math.max(largest, length);
        }

        long offset(ByteBuf p) {
            return (TcpPackets.seq(p) - base) & 0xffff_ffffL;
        }

        @Override
        public String toString() {
            return received + " bytes in " + reads + " reads, " + superPackets + " super-packets, " + retransmitted
                    + " retransmitted, quiet " + quiet;
        }
    }

    /** The next TCP packet from the local socket to {@code peer}, or null after {@code millis} of quiet. */
    private ByteBuf awaitTcp(InetAddress peer, long millis) throws Throwable {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            int n = tun.read(in);
            if (n < 0) {
                Thread.onSpinWait();
                continue;
            }
            ByteBuf p = Unpooled.copiedBuffer(in, 0, n);
            if (isTcpTo(p.slice(VirtioNetHeader.SIZE, n - VirtioNetHeader.SIZE), peer)) {
                return p;
            }
        }
        return null;
    }

    private static boolean isTcpTo(ByteBuf ip, InetAddress peer) {
        byte[] address = peer.getAddress();
        boolean v4 = address.length == 4;
        if ((ip.getUnsignedByte(0) >>> 4) != (v4 ? 4 : 6) || ip.getUnsignedByte(v4 ? 9 : 6) != 6) {
            return false;
        }
        byte[] destination = new byte[address.length];
        ip.getBytes(v4 ? 16 : 24, destination);
        return java.util.Arrays.equals(address, destination);
    }

    /** Writes the peer's answer to the packet {@code k} (from its reader index): SYN-ACK or ACK. */
    private void reply(ByteBuf k, long seq, long ack, int flags, boolean synOptions) throws Throwable {
        int at = k.readerIndex();
        boolean v4 = (k.getUnsignedByte(at) >>> 4) == 4;
        byte[] local = new byte[v4 ? 4 : 16];
        byte[] remote = new byte[local.length];
        k.getBytes(at + (v4 ? 12 : 8), local);
        k.getBytes(at + (v4 ? 16 : 24), remote);
        int tcp = at + (v4 ? 20 : 40);
        ByteBuf r = build(
                remote, local, k.getUnsignedShort(tcp + 2), k.getUnsignedShort(tcp), seq, ack, flags, synOptions, 0, 0);
        writeWithHeader(r);
    }

    /** Writes {@code ip} behind an all-zero virtio header (the bytes before its reader index). */
    private void writeWithHeader(ByteBuf ip) throws Throwable {
        ip.readerIndex(ip.readerIndex() - VirtioNetHeader.SIZE);
        ip.setZero(ip.readerIndex(), VirtioNetHeader.SIZE);
        write(ip);
    }

    private void write(ByteBuf withHeader) throws Throwable {
        int length = withHeader.readableBytes();
        byte[] bytes = length <= out.length ? out : new byte[length];
        withHeader.readBytes(bytes, 0, length);
        tun.write(bytes, length);
    }

    /**
     * A TCP packet from the peer with complete checksums, stream bytes {@code [from, from + length)} as
     * payload, and room for a virtio header before its reader index.
     */
    private static ByteBuf build(
            byte[] src,
            byte[] dst,
            int sport,
            int dport,
            long seq,
            long ack,
            int flags,
            boolean synOptions,
            long from,
            int length) {
        boolean v4 = src.length == 4;
        int ipLength = v4 ? 20 : 40;
        int tcpLength = synOptions ? 28 : 20;
        ByteBuf r = Unpooled.buffer(VirtioNetHeader.SIZE + ipLength + tcpLength + length);
        r.writeZero(VirtioNetHeader.SIZE).readerIndex(VirtioNetHeader.SIZE);
        int ip = r.readerIndex();
        if (v4) {
            r.writeByte(0x45)
                    .writeByte(0)
                    .writeShort(ipLength + tcpLength + length)
                    .writeShort(0)
                    .writeShort(0x4000);
            r.writeByte(64).writeByte(6).writeShort(0).writeBytes(src).writeBytes(dst);
        } else {
            r.writeInt(0x6000_0000).writeShort(tcpLength + length).writeByte(6).writeByte(64);
            r.writeBytes(src).writeBytes(dst);
        }
        r.writeShort(sport).writeShort(dport).writeInt((int) seq).writeInt((int) ack);
        r.writeByte((tcpLength / 4) << 4)
                .writeByte(flags)
                .writeShort(0xffff)
                .writeShort(0)
                .writeShort(0);
        if (synOptions) {
            r.writeInt(0x0204_0000 | MSS).writeInt(0x0103_0307); // MSS 1460, NOP, window scale 7
        }
        for (int i = 0; i < length; i++) {
            r.writeByte(TcpPackets.payloadByte(from + i));
        }
        long pseudo;
        if (v4) {
            InternetChecksum.setIpv4HeaderChecksum(r, ip);
            pseudo = InternetChecksum.pseudoHeaderIpv4(r, ip, 6, tcpLength + length);
        } else {
            pseudo = InternetChecksum.pseudoHeaderIpv6(r, ip, 6, tcpLength + length);
        }
        int l4 = tcpLength + length;
        r.setShort(ip + ipLength + 16, InternetChecksum.finish(InternetChecksum.sum(r, ip + ipLength, l4, pseudo)));
        return r;
    }
}
