package net.ipsecgw.core.offload;

import static net.ipsecgw.core.offload.TcpPackets.ACK;
import static net.ipsecgw.core.offload.TcpPackets.CWR;
import static net.ipsecgw.core.offload.TcpPackets.ECE;
import static net.ipsecgw.core.offload.TcpPackets.FIN;
import static net.ipsecgw.core.offload.TcpPackets.PSH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpSegmenterTest {
    private static final int HEADROOM = 64;
    private static final int TAILROOM = 24;

    private final TcpSegmenter segmenter = new TcpSegmenter(PooledByteBufAllocator.DEFAULT, HEADROOM, TAILROOM);
    private final List<ByteBuf> out = new ArrayList<>();
    private final VirtioNetHeader header = new VirtioNetHeader();

    @AfterEach
    void releaseOutput() {
        out.forEach(ByteBuf::release);
    }

    @Test
    void ipv4SuperPacketBecomesMssSegmentsAsTheKernelCutsThem() {
        int mss = 1000;
        long seq = 0xffff_fc00L; // wraps inside the second segment
        ByteBuf superPacket = TcpPackets.ipv4(0xfffe, seq, ACK | PSH | FIN | CWR | ECE, 0, 3 * mss + 345, 0x1234);
        header.set(
                VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN, 52, mss, 20, 16);

        assertEquals(4, segmenter.segment(header, superPacket, out::add));

        assertEquals(0, superPacket.refCnt(), "the super-packet is released");
        assertEquals(4, out.size());
        int[] ids = {0xfffe, 0xffff, 0x0000, 0x0001};
        for (int i = 0; i < 4; i++) {
            ByteBuf s = out.get(i);
            int length = i < 3 ? mss : 345;
            TcpPackets.assertValid(s);
            TcpPackets.assertPayload(s, (long) i * mss, length);
            assertEquals(20 + 32 + length, s.readableBytes());
            assertEquals(ids[i], s.getUnsignedShort(s.readerIndex() + 4), "IPv4 id of segment " + i);
            assertEquals((seq + (long) i * mss) & 0xffff_ffffL, TcpPackets.seq(s), "sequence of segment " + i);
            int expectedFlags = ACK | ECE | (i == 0 ? CWR : 0) | (i == 3 ? PSH | FIN : 0);
            assertEquals(expectedFlags, TcpPackets.flags(s), "flags of segment " + i);
            assertEquals(HEADROOM, s.readerIndex(), "headroom");
            assertTrue(s.writableBytes() >= TAILROOM, "tailroom");
            assertTrue(s.isDirect());
            // Everything but length, id, checksums, sequence and flags is the super-packet's.
            assertEquals(0x45, s.getUnsignedByte(HEADROOM));
            assertEquals(0x02, s.getUnsignedByte(HEADROOM + 1), "TOS/ECN kept");
            assertEquals(0x4000, s.getUnsignedShort(HEADROOM + 6), "DF kept");
            assertEquals(0x11223344, s.getInt(HEADROOM + 20 + 8), "ack kept");
            assertEquals("0101080a0000123400005678", ByteBufUtil.hexDump(s, HEADROOM + 40, 12), "options kept");
        }
    }

    @Test
    void ipv6SuperPacketOfWholeSegments() {
        int mss = 1200;
        ByteBuf superPacket = TcpPackets.ipv6(7, ACK | PSH, 0, 3 * mss, 0);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6, 72, mss, 40, 16);

        assertEquals(3, segmenter.segment(header, superPacket, out::add));

        for (int i = 0; i < 3; i++) {
            ByteBuf s = out.get(i);
            TcpPackets.assertValid(s);
            TcpPackets.assertPayload(s, (long) i * mss, mss);
            assertEquals(7 + (long) i * mss, TcpPackets.seq(s));
            assertEquals(i == 2 ? ACK | PSH : ACK, TcpPackets.flags(s));
            assertEquals(0x60012345, s.getInt(HEADROOM), "version, traffic class, flow label kept");
            assertEquals(55, s.getUnsignedByte(HEADROOM + 7), "hop limit kept");
        }
    }

    @Test
    void hdrLenFromTheKernelIsNotTrusted() {
        // On its forwarding path the kernel may put the first packet's whole length in hdr_len.
        ByteBuf superPacket = TcpPackets.ipv4(1, 100, ACK, 0, 2500, 0);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 1052, 1000, 20, 16);

        assertEquals(3, segmenter.segment(header, superPacket, out::add));
        TcpPackets.assertPayload(out.get(0), 0, 1000);
        TcpPackets.assertPayload(out.get(2), 2000, 500);
        out.forEach(TcpPackets::assertValid);
    }

    @Test
    void aSuperPacketThatFitsOneSegmentIsFixedInPlace() {
        ByteBuf packet = TcpPackets.ipv4(9, 5, ACK | PSH, 0, 800, 0x7777);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 52, 1000, 20, 16);

        assertEquals(1, segmenter.segment(header, packet, out::add));
        assertSame(packet, out.get(0));
        TcpPackets.assertValid(packet);
        assertEquals(ACK | PSH, TcpPackets.flags(packet));
    }

    @Test
    void headersThatContradictTheVirtioHeaderAreDropped() {
        assertDropped(GsoSegmenter.MALFORMED, TcpPackets.ipv6(1, ACK, 0, 3000, 0), VirtioNetHeader.GSO_TCPV4, 1000, 20);
        assertDropped(
                GsoSegmenter.MALFORMED, TcpPackets.ipv4(1, 1, ACK, 0, 3000, 0), VirtioNetHeader.GSO_TCPV6, 1000, 40);
        assertDropped(
                GsoSegmenter.MALFORMED, TcpPackets.ipv4(1, 1, ACK, 0, 3000, 0), VirtioNetHeader.GSO_TCPV4, 1000, 24);
        assertDropped(GsoSegmenter.MALFORMED, TcpPackets.ipv4(1, 1, ACK, 0, 3000, 0), VirtioNetHeader.GSO_TCPV4, 0, 20);
        ByteBuf truncated = TcpPackets.ipv4(1, 1, ACK, 0, 0, 0);
        truncated.writerIndex(truncated.writerIndex() - 4); // TCP data offset says 32 bytes, 28 are there
        assertDropped(GsoSegmenter.MALFORMED, truncated, VirtioNetHeader.GSO_TCPV4, 1000, 20);
        ByteBuf fragment = TcpPackets.ipv4(1, 1, ACK, 0, 3000, 0);
        fragment.setShort(fragment.readerIndex() + 6, 0x2000); // MF
        assertDropped(GsoSegmenter.MALFORMED, fragment, VirtioNetHeader.GSO_TCPV4, 1000, 20);
        assertDropped(
                GsoSegmenter.UNSUPPORTED, TcpPackets.ipv4(1, 1, ACK, 0, 3000, 0), VirtioNetHeader.GSO_UDP_L4, 1000, 20);
        assertDropped(
                GsoSegmenter.UNSUPPORTED, TcpPackets.ipv4(1, 1, ACK, 0, 3000, 0), VirtioNetHeader.GSO_NONE, 0, 20);
    }

    private void assertDropped(int expected, ByteBuf packet, int gsoType, int mss, int csumStart) {
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, gsoType, 0, mss, csumStart, 16);
        assertEquals(expected, segmenter.segment(header, packet, out::add));
        assertEquals(0, packet.refCnt(), "a dropped packet is released");
        assertTrue(out.isEmpty(), "nothing reaches the sink");
    }
}
