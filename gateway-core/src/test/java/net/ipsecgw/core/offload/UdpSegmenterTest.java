package net.ipsecgw.core.offload;

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

class UdpSegmenterTest {
    private static final int HEADROOM = 64;
    private static final int TAILROOM = 24;

    private final UdpSegmenter segmenter = new UdpSegmenter(PooledByteBufAllocator.DEFAULT, HEADROOM, TAILROOM);
    private final List<ByteBuf> out = new ArrayList<>();
    private final VirtioNetHeader header = new VirtioNetHeader();

    @AfterEach
    void releaseOutput() {
        out.forEach(ByteBuf::release);
    }

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
    }

    /**
     * Known answer, IPv4: a 34-byte UDP_SEGMENT send cut at 12 bytes. The super-packet is as the kernel
     * hands it over (lengths of the whole, pseudo-header sum in the checksum field); the expected
     * datagrams were computed apart from this code, the first one's form checked against a datagram the
     * kernel sent.
     */
    @Test
    void ipv4KnownAnswer() {
        ByteBuf superPacket = hex("4500003e1865400040110e360a0900010a0900029208270f002a1450"
                + "68656c6c6f2c20636865636b73756d20776f726c6421207365676d656e74206d652e");
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 28, 12, 20, 6);

        assertEquals(3, segmenter.segment(header, superPacket, out::add));

        assertEquals(0, superPacket.refCnt());
        assertEquals(
                "450000281865400040110e4c0a0900010a0900029208270f0014026868656c6c6f2c20636865636b",
                ByteBufUtil.hexDump(out.get(0)));
        assertEquals(
                "450000281866400040110e4b0a0900010a0900029208270f0014e39373756d20776f726c64212073",
                ByteBufUtil.hexDump(out.get(1)));
        assertEquals(
                "450000261867400040110e4c0a0900010a0900029208270f00126bc165676d656e74206d652e",
                ByteBufUtil.hexDump(out.get(2)));
        for (ByteBuf d : out) {
            assertEquals(HEADROOM, d.readerIndex(), "headroom");
            assertTrue(d.writableBytes() >= TAILROOM, "tailroom");
            assertTrue(d.isDirect());
        }
    }

    /** Known answer, IPv6: the same payload and cut. */
    @Test
    void ipv6KnownAnswer() {
        ByteBuf superPacket = hex("60000000002a1140fd000000000000000000000000000001fd000000000000000000000000000002"
                + "9208270f002afa3f68656c6c6f2c20636865636b73756d20776f726c6421207365676d656e74206d652e");
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 48, 12, 40, 6);

        assertEquals(3, segmenter.segment(header, superPacket, out::add));

        String addresses = "fd000000000000000000000000000001fd000000000000000000000000000002";
        assertEquals(
                "6000000000141140" + addresses + "9208270f00141c7868656c6c6f2c20636865636b",
                ByteBufUtil.hexDump(out.get(0)));
        assertEquals(
                "6000000000141140" + addresses + "9208270f0014fda373756d20776f726c64212073",
                ByteBufUtil.hexDump(out.get(1)));
        assertEquals(
                "6000000000121140" + addresses + "9208270f001285d165676d656e74206d652e",
                ByteBufUtil.hexDump(out.get(2)));
    }

    @Test
    void ipv4SuperPacketBecomesDatagramsWithEveryFieldSet() {
        int size = 1000;
        ByteBuf superPacket = UdpPackets.withPartialChecksum(UdpPackets.ipv4(0xfffe, 0, 3 * size + 345, 0));
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 28, size, 20, 6);

        assertEquals(4, segmenter.segment(header, superPacket, out::add));

        int[] ids = {0xfffe, 0xffff, 0x0000, 0x0001};
        for (int i = 0; i < 4; i++) {
            ByteBuf d = out.get(i);
            int length = i < 3 ? size : 345;
            UdpPackets.assertValid(d);
            UdpPackets.assertPayload(d, (long) i * size, length);
            assertEquals(28 + length, d.readableBytes());
            assertEquals(ids[i], d.getUnsignedShort(HEADROOM + 4), "IPv4 id of datagram " + i);
            assertEquals(0x02, d.getUnsignedByte(HEADROOM + 1), "TOS kept");
            assertEquals(0x4000, d.getUnsignedShort(HEADROOM + 6), "DF kept");
            assertEquals(64, d.getUnsignedByte(HEADROOM + 8), "TTL kept");
            assertEquals(UdpPackets.SOURCE_PORT, d.getUnsignedShort(HEADROOM + 20));
            assertEquals(UdpPackets.DESTINATION_PORT, d.getUnsignedShort(HEADROOM + 22));
        }
    }

    @Test
    void ipv6SuperPacketOfWholeDatagrams() {
        int size = 1200;
        ByteBuf superPacket = UdpPackets.withPartialChecksum(UdpPackets.ipv6(0, 3 * size, 0));
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 48, size, 40, 6);

        assertEquals(3, segmenter.segment(header, superPacket, out::add));

        for (int i = 0; i < 3; i++) {
            ByteBuf d = out.get(i);
            UdpPackets.assertValid(d);
            UdpPackets.assertPayload(d, (long) i * size, size);
            assertEquals(0x61234567, d.getInt(HEADROOM), "version, traffic class, flow label kept");
            assertEquals(55, d.getUnsignedByte(HEADROOM + 7), "hop limit kept");
        }
    }

    @Test
    void ipv6ExtensionHeadersAreWalkedAndCopied() {
        ByteBuf plain = UdpPackets.ipv6(0, 2500, 0);
        // A Destination Options header (8 bytes: next header UDP, length 0, PadN) after the fixed header.
        ByteBuf p = Unpooled.buffer();
        p.writeZero(16).readerIndex(16);
        p.writeBytes(plain, plain.readerIndex(), 40).writeBytes(new byte[] {17, 0, 1, 4, 0, 0, 0, 0});
        p.writeBytes(plain, plain.readerIndex() + 40, plain.readableBytes() - 40);
        p.setByte(p.readerIndex() + 6, 60);
        p.setShort(p.readerIndex() + 4, p.readableBytes() - 40);
        UdpPackets.withPartialChecksum(p);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 56, 1000, 48, 6);

        assertEquals(3, segmenter.segment(header, p, out::add));

        for (int i = 0; i < 3; i++) {
            ByteBuf d = out.get(i);
            UdpPackets.assertValid(d);
            UdpPackets.assertPayload(d, i * 1000L, i < 2 ? 1000 : 500);
            assertEquals("1100010400000000", ByteBufUtil.hexDump(d, HEADROOM + 40, 8), "extension header kept");
        }
    }

    @Test
    void aChecksumThatComesOutZeroIsSentAsFfff() {
        // Two datagrams; the second one's last two payload bytes are chosen so that its sum is 0xffff.
        ByteBuf second = UdpPackets.ipv4(8, 1000, 1000, 0);
        second.setShort(second.writerIndex() - 2, 0);
        int at = second.readerIndex();
        int sum = UdpPackets.fold(
                17 + 1008 + UdpPackets.words(second, at + 12, 8) + UdpPackets.words(second, at + 20, 1008));
        ByteBuf superPacket = UdpPackets.ipv4(7, 0, 2000, 0);
        superPacket.setShort(superPacket.writerIndex() - 2, 0xffff - sum);
        UdpPackets.withPartialChecksum(superPacket);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 28, 1000, 20, 6);

        assertEquals(2, segmenter.segment(header, superPacket, out::add));

        assertEquals(0xffff, out.get(1).getUnsignedShort(HEADROOM + 26));
        UdpPackets.assertValid(out.get(1));
    }

    @Test
    void aSuperPacketThatFitsOneDatagramIsFixedInPlace() {
        ByteBuf packet = UdpPackets.withPartialChecksum(UdpPackets.ipv4(9, 0, 800, 0));
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 28, 1000, 20, 6);

        assertEquals(1, segmenter.segment(header, packet, out::add));
        assertSame(packet, out.get(0));
        UdpPackets.assertValid(packet);
        assertEquals(9, packet.getUnsignedShort(packet.readerIndex() + 4));
    }

    @Test
    void malformedSuperPacketsAreDroppedAndReleased() {
        assertDropped(v4(3000), 0, 28, 20, 6, "gso_size 0");
        assertDropped(v4(3000), 1000, 3029, 20, 6, "hdr_len beyond the packet");
        assertDropped(v4(3000), 1000, 28, 24, 6, "csum_start is not the IPv4 header length");
        assertDropped(v4(3000), 1000, 28, 20, 16, "csum_offset of TCP");
        assertDropped(v4(300), 2, 28, 20, 6, "150 datagrams");
        ByteBuf tcp = TcpPackets.ipv4(1, 1, TcpPackets.ACK, 0, 3000, 0);
        assertDropped(tcp, 1000, 28, 20, 6, "TCP with UDP_L4");
        ByteBuf v6tcp = TcpPackets.ipv6(1, TcpPackets.ACK, 0, 3000, 0);
        assertDropped(v6tcp, 1000, 48, 40, 6, "TCP over IPv6 with UDP_L4");
        ByteBuf fragment = v4(3000);
        fragment.setShort(fragment.readerIndex() + 6, 0x2000);
        assertDropped(fragment, 1000, 28, 20, 6, "a fragment");
        ByteBuf truncated = v4(3000);
        truncated.writerIndex(truncated.writerIndex() - 10);
        assertDropped(truncated, 1000, 28, 20, 6, "shorter than its IPv4 total length");
        ByteBuf udpLength = v4(3000);
        udpLength.setShort(udpLength.readerIndex() + 24, 1008);
        assertDropped(udpLength, 1000, 28, 20, 6, "UDP length of one datagram");
        ByteBuf v6short = UdpPackets.ipv6(0, 3000, 0);
        v6short.writerIndex(v6short.writerIndex() - 1);
        assertDropped(v6short, 1000, 48, 40, 6, "shorter than its IPv6 payload length");
        ByteBuf v6wrongStart = UdpPackets.ipv6(0, 3000, 0);
        assertDropped(v6wrongStart, 1000, 56, 48, 6, "no extension header where csum_start says");
        assertDropped(Unpooled.buffer().writeZero(20), 1000, 0, 20, 6, "shorter than the headers");
        assertDropped(Unpooled.buffer(), 1000, 0, 20, 6, "empty");
        assertDropped(Unpooled.buffer().writeZero(100), 1000, 0, 0, 6, "csum_start 0");
    }

    @Test
    void otherGsoTypesAreNotSegmentedHere() {
        ByteBuf packet = v4(3000);
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP, 28, 1000, 20, 6);
        assertEquals(GsoSegmenter.UNSUPPORTED, segmenter.segment(header, packet, out::add));
        assertEquals(0, packet.refCnt());
    }

    private static ByteBuf v4(int payload) {
        return UdpPackets.withPartialChecksum(UdpPackets.ipv4(1, 0, payload, 0));
    }

    private void assertDropped(ByteBuf packet, int size, int hdrLen, int csumStart, int csumOffset, String what) {
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, hdrLen, size, csumStart, csumOffset);
        assertEquals(GsoSegmenter.MALFORMED, segmenter.segment(header, packet, out::add), what);
        assertEquals(0, packet.refCnt(), what + ": released");
        assertTrue(out.isEmpty(), what + ": nothing reaches the sink");
    }
}
