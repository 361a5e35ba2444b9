package net.ipsecgw.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UdpCoalescerTest {
    private final List<ByteBuf> written = new ArrayList<>();
    private final List<ByteBuf> inputs = new ArrayList<>();
    private final UdpCoalescer coalescer = new UdpCoalescer(PooledByteBufAllocator.DEFAULT, 4, written::add);
    private final VirtioNetHeader header = new VirtioNetHeader();

    @AfterEach
    void releaseAndCheckOwnership() {
        written.forEach(ByteBuf::release);
        inputs.forEach(p -> assertEquals(0, p.refCnt(), "every input was merged and released, or passed on"));
    }

    private ByteBuf v4(int id, long from, int length) {
        return track(UdpPackets.withChecksums(UdpPackets.ipv4(id, from, length, 0)));
    }

    private ByteBuf v6(long from, int length) {
        return track(UdpPackets.withChecksums(UdpPackets.ipv6(from, length, 0)));
    }

    private ByteBuf track(ByteBuf p) {
        inputs.add(p);
        return p;
    }

    /** Completes the partial checksum the way the kernel does, then strips the virtio header. */
    private ByteBuf completed(ByteBuf out) {
        header.decode(out, out.readerIndex());
        ByteBuf p = out.slice(out.readerIndex() + VirtioNetHeader.SIZE, out.readableBytes() - VirtioNetHeader.SIZE);
        if (header.needsChecksum()) {
            long sum = InternetChecksum.sum(p, header.csumStart(), p.readableBytes() - header.csumStart(), 0);
            p.setShort(header.csumStart() + header.csumOffset(), InternetChecksum.finish(sum));
        }
        return p;
    }

    /** What the kernel's GSO makes of a written super-packet: its datagrams, checked against {@code originals}. */
    private void assertSegmentsInto(ByteBuf out, List<ByteBuf> originals) {
        List<ByteBuf> again = new ArrayList<>();
        UdpSegmenter segmenter = new UdpSegmenter(PooledByteBufAllocator.DEFAULT, 0, 0);
        header.decode(out, out.readerIndex());
        ByteBuf superPacket =
                out.retainedSlice(out.readerIndex() + VirtioNetHeader.SIZE, out.readableBytes() - VirtioNetHeader.SIZE);
        assertEquals(originals.size(), segmenter.segment(header, superPacket, again::add));
        for (int i = 0; i < originals.size(); i++) {
            assertEquals(originals.get(i), again.get(i), "datagram " + i);
            again.get(i).release();
        }
    }

    @Test
    void consecutiveIpv4DatagramsBecomeOneSuperPacketThatSegmentsBackIntoThem() {
        List<ByteBuf> originals = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ByteBuf p = v4(100 + i, i * 1000L, i < 3 ? 1000 : 345);
            originals.add(UdpPackets.copy(p));
            coalescer.add(p);
        }
        assertTrue(written.isEmpty(), "held until the end of the batch");
        coalescer.flush();

        assertEquals(1, written.size());
        ByteBuf out = written.get(0);
        header.decode(out, out.readerIndex());
        assertEquals(VirtioNetHeader.FLAG_NEEDS_CSUM, header.flags());
        assertEquals(VirtioNetHeader.GSO_UDP_L4, header.gsoType());
        assertEquals(28, header.hdrLen());
        assertEquals(1000, header.gsoSize());
        assertEquals(20, header.csumStart());
        assertEquals(6, header.csumOffset());
        int at = out.readerIndex() + VirtioNetHeader.SIZE;
        assertEquals(20 + 8 + 3345, out.getUnsignedShort(at + 2), "IPv4 total length of the whole");
        assertEquals(8 + 3345, out.getUnsignedShort(at + 24), "UDP length of the whole");
        assertEquals(100, out.getUnsignedShort(at + 4), "the first datagram's id");
        long pseudo = 17 + 8 + 3345 + UdpPackets.words(out, at + 12, 8);
        assertEquals(UdpPackets.fold(pseudo), out.getUnsignedShort(at + 26), "pseudo-header sum");
        ByteBuf superPacket = completed(out);
        UdpPackets.assertValid(superPacket);
        UdpPackets.assertPayload(superPacket, 0, 3345);

        assertSegmentsInto(out, originals);
    }

    @Test
    void ipv6DatagramsCoalesceAndSegmentBack() {
        List<ByteBuf> originals = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ByteBuf p = v6(i * 1200L, 1200);
            originals.add(UdpPackets.copy(p));
            coalescer.add(p);
        }
        coalescer.flush();
        assertEquals(1, written.size());
        ByteBuf out = written.get(0);
        header.decode(out, out.readerIndex());
        assertEquals(VirtioNetHeader.GSO_UDP_L4, header.gsoType());
        assertEquals(48, header.hdrLen());
        assertEquals(1200, header.gsoSize());
        assertEquals(40, header.csumStart());
        assertEquals(6, header.csumOffset());
        UdpPackets.assertValid(completed(out));
        assertSegmentsInto(out, originals);
    }

    @Test
    void aSingleDatagramGoesOutAsItselfBehindAnEmptyHeader() {
        ByteBuf p = v4(1, 0, 500);
        ByteBuf before = UdpPackets.copy(p);
        coalescer.add(p);
        coalescer.flush();
        assertEquals(1, written.size());
        assertSame(p, written.get(0), "written in place");
        header.decode(p, p.readerIndex());
        assertEquals(0, header.flags() | header.gsoType() | header.gsoSize() | header.csumStart());
        assertEquals(before, p.slice(p.readerIndex() + VirtioNetHeader.SIZE, p.readableBytes() - VirtioNetHeader.SIZE));
    }

    @Test
    void aShortDatagramEndsTheSuperPacketAndALargerOneStartsAnother() {
        coalescer.add(v4(1, 0, 1000));
        coalescer.add(v4(2, 1000, 1000));
        coalescer.add(v4(3, 2000, 400)); // short: the last one
        coalescer.add(v4(4, 2400, 400)); // cannot follow a short one
        coalescer.add(v4(5, 2800, 400));
        coalescer.add(v4(6, 3200, 900)); // larger than the open super-packet's size
        coalescer.flush();
        long[] from = {0, 2400, 3200};
        int[] lengths = {2400, 800, 900};
        int[] sizes = {1000, 400, 0};
        assertEquals(3, written.size());
        for (int i = 0; i < 3; i++) {
            header.decode(written.get(i), written.get(i).readerIndex());
            assertEquals(sizes[i], header.gsoSize(), "super-packet " + i);
            ByteBuf p = completed(written.get(i));
            UdpPackets.assertValid(p);
            UdpPackets.assertPayload(p, from[i], lengths[i]);
        }
    }

    @Test
    void differentTtlOrTosStartsANewSuperPacket() {
        coalescer.add(v4(1, 0, 1000));
        ByteBuf ttl = UdpPackets.ipv4(2, 1000, 1000, 0);
        ttl.setByte(ttl.readerIndex() + 8, 63);
        coalescer.add(track(UdpPackets.withChecksums(ttl)));
        ByteBuf tos = UdpPackets.ipv4(3, 2000, 1000, 0);
        tos.setByte(tos.readerIndex() + 1, 0);
        tos.setByte(tos.readerIndex() + 8, 63);
        coalescer.add(track(UdpPackets.withChecksums(tos)));
        coalescer.flush();
        assertEquals(3, written.size());
        for (int i = 0; i < 3; i++) {
            UdpPackets.assertPayload(completed(written.get(i)), i * 1000L, 1000);
        }
    }

    @Test
    void atMost64DatagramsPerSuperPacket() {
        for (int i = 0; i < 70; i++) {
            coalescer.add(v4(i, i * 100L, 100));
        }
        coalescer.flush();
        assertEquals(2, written.size());
        ByteBuf first = completed(written.get(0));
        UdpPackets.assertValid(first);
        UdpPackets.assertPayload(first, 0, 6400);
        UdpPackets.assertPayload(completed(written.get(1)), 6400, 600);
    }

    @Test
    void superPacketsStayWithin64Kilobytes() {
        for (int i = 0; i < 50; i++) {
            coalescer.add(v4(i, i * 1472L, 1472));
        }
        coalescer.flush();
        assertEquals(2, written.size());
        ByteBuf first = completed(written.get(0));
        assertEquals(28 + 44 * 1472, first.readableBytes(), "44 datagrams fit into 65,535 bytes, 45 do not");
        UdpPackets.assertValid(first);
        UdpPackets.assertPayload(completed(written.get(1)), 44 * 1472L, 6 * 1472);
    }

    @Test
    void ipv6SuperPacketsMayCarry65535BytesAfterTheFixedHeader() {
        for (int i = 0; i < 45; i++) {
            coalescer.add(v6(i * 1455L, 1455));
        }
        coalescer.flush();
        assertEquals(1, written.size(), "8 + 45 * 1455 = 65,483 bytes of UDP");
        UdpPackets.assertValid(completed(written.get(0)));
    }

    @Test
    void aBadOrMissingChecksumIsNotMerged() {
        coalescer.add(v4(1, 0, 1000));
        ByteBuf bad = v4(2, 1000, 1000);
        bad.setByte(bad.writerIndex() - 1, bad.getByte(bad.writerIndex() - 1) + 1);
        coalescer.add(bad);
        ByteBuf none = v4(3, 2000, 1000);
        none.setShort(none.readerIndex() + 26, 0); // IPv4 without a checksum
        coalescer.add(none);
        coalescer.add(v4(4, 3000, 1000));
        coalescer.add(v4(5, 4000, 1000));
        coalescer.flush();
        assertEquals(4, written.size());
        header.decode(written.get(1), written.get(1).readerIndex());
        assertEquals(0, header.flags(), "the bad one goes out as it is, for the kernel to drop");
        assertSame(bad, written.get(1));
        assertSame(none, written.get(2));
        UdpPackets.assertPayload(completed(written.get(3)), 3000, 2000);
    }

    @Test
    void interleavedFlowsBecomeOneSuperPacketEach() {
        for (int i = 0; i < 3; i++) {
            coalescer.add(v4(i, i * 1000L, 1000));
            coalescer.add(v6(i * 1000L, 1000));
            ByteBuf otherPort = UdpPackets.ipv4(i, i * 1000L, 1000, 0);
            otherPort.setShort(otherPort.readerIndex() + 20, 5353);
            coalescer.add(track(UdpPackets.withChecksums(otherPort)));
        }
        coalescer.flush();
        assertEquals(3, written.size());
        for (ByteBuf out : written) {
            ByteBuf p = completed(out);
            UdpPackets.assertValid(p);
            UdpPackets.assertPayload(p, 0, 3000);
        }
    }

    @Test
    void aPacketThatCannotBeMergedWritesWhatIsHeldBetweenTheSameAddressesFirst() {
        coalescer.add(v4(1, 0, 1000));
        coalescer.add(v4(2, 1000, 1000));
        ByteBuf fragment = UdpPackets.ipv4(3, 2000, 1000, 0);
        fragment.setShort(fragment.readerIndex() + 6, 0x2000); // MF: the first fragment of a larger datagram
        coalescer.add(track(fragment));
        assertEquals(2, written.size(), "the flow's super-packet, then the fragment");
        UdpPackets.assertPayload(completed(written.get(0)), 0, 2000);
        assertSame(fragment, written.get(1));
        ByteBuf empty = v4(4, 0, 0);
        coalescer.add(v4(5, 3000, 1000));
        coalescer.add(empty);
        assertEquals(4, written.size(), "a datagram that cannot join writes its flow first");
        assertSame(empty, written.get(3));
    }

    @Test
    void whenTheFlowTableIsFullTheOldestFlowIsWrittenFirst() {
        for (int flow = 0; flow < 5; flow++) {
            for (int i = 0; i < 2; i++) {
                ByteBuf p = UdpPackets.ipv4(i, 1000L * i, 1000, 0);
                p.setShort(p.readerIndex() + 20, 40000 + flow);
                coalescer.add(track(UdpPackets.withChecksums(p)));
            }
        }
        assertEquals(1, written.size(), "four flows fit; the fifth evicts the first");
        assertEquals(40000, completed(written.get(0)).getUnsignedShort(20));
        coalescer.flush();
        assertEquals(5, written.size());
    }
}
