package net.ipsecgw.core.offload;

import static net.ipsecgw.core.offload.TcpPackets.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GsoSegmenterTest {
    private final GsoSegmenter segmenter = new GsoSegmenter(PooledByteBufAllocator.DEFAULT, 32, 16);
    private final List<ByteBuf> out = new ArrayList<>();
    private final VirtioNetHeader header = new VirtioNetHeader();

    @AfterEach
    void releaseOutput() {
        out.forEach(ByteBuf::release);
    }

    @Test
    void noGsoWithNeedsCsumCompletesThePartialChecksum() {
        // The captured UDP datagram, with the pseudo-header sum in its checksum field as the kernel leaves it.
        ByteBuf udp =
                Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("450000321865400040110e420a0900010a0900029208270f001e"
                        + "d3c068656c6c6f2c20636865636b73756d20776f726c6421"));
        udp.setShort(26, InternetChecksum.fold(InternetChecksum.pseudoHeaderIpv4(udp, 0, 17, 30)));
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 20, 6);

        assertEquals(1, segmenter.segment(header, udp, out::add));
        assertSame(udp, out.get(0));
        assertEquals(0xd3c0, udp.getUnsignedShort(26));
    }

    @Test
    void aPartialChecksumThatComesOutZeroIsStoredAsFfff() {
        ByteBuf udp = UdpPackets.ipv6(0, 100, 0);
        int at = udp.readerIndex();
        udp.setShort(udp.writerIndex() - 2, 0);
        int sum = UdpPackets.fold(17 + 108 + UdpPackets.words(udp, at + 8, 32) + UdpPackets.words(udp, at + 40, 108));
        udp.setShort(udp.writerIndex() - 2, 0xffff - sum); // the whole datagram now sums to 0xffff
        UdpPackets.withPartialChecksum(udp);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 40, 6);

        assertEquals(1, segmenter.segment(header, udp, out::add));
        assertEquals(0xffff, udp.getUnsignedShort(at + 46));
        UdpPackets.assertValid(udp);
    }

    @Test
    void aCompletePacketPassesUntouched() {
        ByteBuf packet = TcpPackets.ipv4(9, 5, ACK, 0, 100, 0x4242);
        ByteBuf before = TcpPackets.copy(packet);
        assertEquals(1, segmenter.segment(header.clear(), packet, out::add));
        assertSame(packet, out.get(0));
        assertEquals(before, packet);
    }

    @Test
    void tcpAndUdpSuperPacketsGoToTheirSegmenters() {
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 52, 1000, 20, 16);
        assertEquals(3, segmenter.segment(header, TcpPackets.ipv4(1, 100, ACK, 0, 2500, 0), out::add));
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 28, 1000, 20, 6);
        ByteBuf udp = UdpPackets.withPartialChecksum(UdpPackets.ipv4(1, 0, 2500, 0));
        assertEquals(3, segmenter.segment(header, udp, out::add));
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 48, 1000, 40, 6);
        ByteBuf udp6 = UdpPackets.withPartialChecksum(UdpPackets.ipv6(0, 2500, 0));
        assertEquals(3, segmenter.segment(header, udp6, out::add));

        assertEquals(9, out.size());
        out.subList(0, 3).forEach(TcpPackets::assertValid);
        out.subList(3, 9).forEach(UdpPackets::assertValid);
    }

    @Test
    void whatCannotBeSegmentedIsReleasedAndReported() {
        ByteBuf ufo = UdpPackets.ipv4(1, 0, 3000, 0);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP, 28, 1000, 20, 6);
        assertEquals(GsoSegmenter.UNSUPPORTED, segmenter.segment(header, ufo, out::add));
        assertEquals(0, ufo.refCnt());

        ByteBuf shortUdp = Unpooled.buffer().writeZero(20);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 20, 6);
        assertEquals(GsoSegmenter.MALFORMED, segmenter.segment(header, shortUdp, out::add));
        assertEquals(0, shortUdp.refCnt());

        ByteBuf badUdp = UdpPackets.ipv4(1, 0, 3000, 0);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 28, 0, 20, 6);
        assertEquals(GsoSegmenter.MALFORMED, segmenter.segment(header, badUdp, out::add));
        assertEquals(0, badUdp.refCnt());
        assertTrue(out.isEmpty());
    }
}
