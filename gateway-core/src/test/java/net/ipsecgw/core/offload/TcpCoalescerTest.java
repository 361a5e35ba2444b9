package net.ipsecgw.core.offload;

import static net.ipsecgw.core.offload.TcpPackets.ACK;
import static net.ipsecgw.core.offload.TcpPackets.FIN;
import static net.ipsecgw.core.offload.TcpPackets.PSH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpCoalescerTest {
    private final List<ByteBuf> written = new ArrayList<>();
    private final List<ByteBuf> inputs = new ArrayList<>();
    private final TcpCoalescer coalescer = new TcpCoalescer(PooledByteBufAllocator.DEFAULT, 4, written::add);
    private final VirtioNetHeader header = new VirtioNetHeader();

    @AfterEach
    void releaseAndCheckOwnership() {
        written.forEach(ByteBuf::release);
        inputs.forEach(p -> assertEquals(0, p.refCnt(), "every input was merged and released, or passed on"));
    }

    private ByteBuf v4(int id, long seq, int flags, long from, int length) {
        return track(TcpPackets.withChecksums(TcpPackets.ipv4(id, seq, flags, from, length, 0)));
    }

    private ByteBuf v6(long seq, int flags, long from, int length) {
        return track(TcpPackets.withChecksums(TcpPackets.ipv6(seq, flags, from, length, 0)));
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

    @Test
    void consecutiveIpv4SegmentsBecomeOneSuperPacketThatSegmentsBackIntoThem() {
        List<ByteBuf> originals = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int length = i < 3 ? 1000 : 345;
            ByteBuf p = v4(100 + i, 5000 + i * 1000L, i == 3 ? ACK | PSH : ACK, i * 1000L, length);
            originals.add(TcpPackets.copy(p));
            coalescer.add(p);
        }
        assertTrue(written.isEmpty(), "held until the end of the batch");
        coalescer.flush();

        assertEquals(1, written.size());
        ByteBuf out = written.get(0);
        header.decode(out, out.readerIndex());
        assertEquals(VirtioNetHeader.FLAG_NEEDS_CSUM, header.flags());
        assertEquals(VirtioNetHeader.GSO_TCPV4, header.gsoType());
        assertEquals(1000, header.gsoSize());
        assertEquals(52, header.hdrLen());
        assertEquals(20, header.csumStart());
        assertEquals(16, header.csumOffset());
        ByteBuf superPacket = completed(out);
        TcpPackets.assertValid(superPacket);
        TcpPackets.assertPayload(superPacket, 0, 3345);
        assertEquals(ACK | PSH, TcpPackets.flags(superPacket));

        // What the kernel's GSO makes of it again: exactly the packets that went in.
        List<ByteBuf> again = new ArrayList<>();
        TcpSegmenter segmenter = new TcpSegmenter(PooledByteBufAllocator.DEFAULT, 0, 0);
        header.decode(out, out.readerIndex());
        out.skipBytes(VirtioNetHeader.SIZE).retain();
        assertEquals(4, segmenter.segment(header, out, again::add));
        for (int i = 0; i < 4; i++) {
            assertEquals(originals.get(i), again.get(i), "segment " + i);
            again.get(i).release();
        }
    }

    @Test
    void ipv6SegmentsCoalesceToo() {
        for (int i = 0; i < 3; i++) {
            coalescer.add(v6(1L + i * 1200, ACK, i * 1200L, 1200));
        }
        coalescer.flush();
        assertEquals(1, written.size());
        header.decode(written.get(0), written.get(0).readerIndex());
        assertEquals(VirtioNetHeader.GSO_TCPV6, header.gsoType());
        assertEquals(1200, header.gsoSize());
        assertEquals(40, header.csumStart());
        ByteBuf superPacket = completed(written.get(0));
        TcpPackets.assertValid(superPacket);
        TcpPackets.assertPayload(superPacket, 0, 3600);
    }

    @Test
    void twoInterleavedFlowsBecomeTwoSuperPackets() {
        for (int i = 0; i < 3; i++) {
            coalescer.add(v4(i, 1000L * i, ACK, 1000L * i, 1000));
            coalescer.add(v6(1000L * i, ACK, 1000L * i, 1000));
        }
        coalescer.flush();
        assertEquals(2, written.size());
        for (ByteBuf out : written) {
            ByteBuf p = completed(out);
            TcpPackets.assertValid(p);
            TcpPackets.assertPayload(p, 0, 3000);
        }
    }

    @Test
    void aGapADifferentAckOrALargerSegmentStartsANewSuperPacket() {
        coalescer.add(v4(1, 0, ACK, 0, 1000));
        coalescer.add(v4(2, 1000, ACK, 1000, 1000));
        coalescer.add(v4(3, 3000, ACK, 3000, 1000)); // gap
        ByteBuf otherAck = v4(4, 4000, ACK, 4000, 1000);
        otherAck.setInt(otherAck.readerIndex() + 28, 0x11223345);
        TcpPackets.withChecksums(otherAck);
        coalescer.add(otherAck);
        coalescer.add(v4(5, 5000, ACK, 5000, 500));
        coalescer.add(v4(6, 5500, ACK, 5500, 1000)); // larger than the previous one
        coalescer.flush();
        int[] payloads = {2000, 1000, 1000, 500, 1000};
        long[] seqs = {0, 3000, 4000, 5000, 5500};
        assertEquals(payloads.length, written.size());
        for (int i = 0; i < payloads.length; i++) {
            ByteBuf p = completed(written.get(i));
            TcpPackets.assertValid(p);
            assertEquals(seqs[i], TcpPackets.seq(p));
            TcpPackets.assertPayload(p, seqs[i], payloads[i]);
        }
    }

    @Test
    void pshEndsASuperPacketAndControlFlagsPassAloneInOrder() {
        coalescer.add(v4(1, 0, ACK | PSH, 0, 1000));
        coalescer.add(v4(2, 1000, ACK, 1000, 1000));
        coalescer.add(v4(3, 2000, ACK, 2000, 1000));
        ByteBuf fin = v4(4, 3000, ACK | FIN, 3000, 10);
        coalescer.add(fin);
        assertEquals(3, written.size(), "the FIN flushed its flow, then went out itself");
        coalescer.flush();
        assertEquals(3, written.size());
        assertEquals(1000, TcpPackets.payloadLength(completed(written.get(0))));
        assertEquals(2000, TcpPackets.payloadLength(completed(written.get(1))));
        ByteBuf last = written.get(2);
        assertSame(fin, last, "passed on in place");
        header.decode(last, last.readerIndex());
        assertEquals(0, header.flags() | header.gsoType());
        TcpPackets.assertValid(completed(last));
    }

    @Test
    void aSegmentWithABadChecksumIsNotMerged() {
        coalescer.add(v4(1, 0, ACK, 0, 1000));
        ByteBuf bad = v4(2, 1000, ACK, 1000, 1000);
        bad.setByte(bad.writerIndex() - 1, bad.getByte(bad.writerIndex() - 1) + 1);
        coalescer.add(bad);
        coalescer.add(v4(3, 2000, ACK, 2000, 1000));
        coalescer.flush();
        assertEquals(3, written.size());
        header.decode(written.get(1), written.get(1).readerIndex());
        assertEquals(0, header.flags(), "the bad one goes out as it is, for the kernel to drop");
    }

    @Test
    void superPacketsStayWithin64Kilobytes() {
        for (int i = 0; i < 70; i++) {
            coalescer.add(v4(i, 1000L * i, ACK, 1000L * i, 1000));
        }
        coalescer.flush();
        assertEquals(2, written.size());
        ByteBuf first = completed(written.get(0));
        assertEquals(20 + 32 + 65_000, first.readableBytes());
        TcpPackets.assertValid(first);
        TcpPackets.assertPayload(completed(written.get(1)), 65_000, 5000);
    }

    @Test
    void whenTheFlowTableIsFullTheOldestFlowIsWrittenFirst() {
        for (int flow = 0; flow < 5; flow++) {
            for (int i = 0; i < 2; i++) {
                ByteBuf p = TcpPackets.ipv4(i, 1000L * i, ACK, 1000L * i, 1000, 0);
                p.setShort(p.readerIndex() + 20, 40000 + flow);
                coalescer.add(track(TcpPackets.withChecksums(p)));
            }
        }
        assertEquals(1, written.size(), "four flows fit; the fifth evicts the first");
        assertEquals(40000, completed(written.get(0)).getUnsignedShort(20));
        coalescer.flush();
        assertEquals(5, written.size());
    }

    @Test
    void otherPacketsGetAZeroHeaderOrACopyWithoutHeadroom() {
        ByteBuf udp = track(Unpooled.buffer(64)
                .writeZero(12)
                .readerIndex(12)
                .writeByte(0x45)
                .writeZero(27));
        coalescer.add(udp);
        ByteBuf noRoom = v4(1, 0, ACK, 0, 100);
        noRoom.discardReadBytes();
        coalescer.add(noRoom);
        coalescer.flush();
        assertEquals(2, written.size());
        assertSame(udp, written.get(0));
        assertEquals(2, written.get(0).readerIndex());
        assertEquals(0x45, written.get(0).getUnsignedByte(2 + VirtioNetHeader.SIZE));
        assertEquals(VirtioNetHeader.SIZE + 152, written.get(1).readableBytes());
        TcpPackets.assertValid(completed(written.get(1)));
    }
}
