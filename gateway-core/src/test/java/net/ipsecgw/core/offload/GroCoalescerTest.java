package net.ipsecgw.core.offload;

import static net.ipsecgw.core.offload.TcpPackets.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroCoalescerTest {
    private final List<ByteBuf> written = new ArrayList<>();
    private final VirtioNetHeader header = new VirtioNetHeader();

    @AfterEach
    void release() {
        written.forEach(ByteBuf::release);
    }

    private int gsoType(int i) {
        return header.decode(written.get(i), written.get(i).readerIndex()).gsoType();
    }

    private static ByteBuf tcp(int i) {
        return TcpPackets.withChecksums(TcpPackets.ipv4(i, 1000L * i, ACK, 1000L * i, 1000, 0));
    }

    private static ByteBuf udp(int i) {
        return UdpPackets.withChecksums(UdpPackets.ipv4(i, 1000L * i, 1000, 0));
    }

    private static ByteBuf udp6(int i) {
        return UdpPackets.withChecksums(UdpPackets.ipv6(1000L * i, 1000, 0));
    }

    @Test
    void withUsoTcpAndUdpEachBecomeSuperPackets() {
        GroCoalescer coalescer = new GroCoalescer(PooledByteBufAllocator.DEFAULT, 4, true, written::add);
        for (int i = 0; i < 3; i++) {
            coalescer.add(tcp(i));
            coalescer.add(udp(i));
            coalescer.add(udp6(i));
        }
        ByteBuf icmp = Unpooled.buffer(64)
                .writeZero(16)
                .readerIndex(16)
                .writeByte(0x45)
                .writeZero(27);
        icmp.setByte(16 + 9, 1);
        coalescer.add(icmp);
        assertSame(icmp, written.get(0), "other protocols pass on at once");
        coalescer.flush();
        assertEquals(4, written.size());
        assertEquals(VirtioNetHeader.GSO_TCPV4, gsoType(1));
        assertEquals(VirtioNetHeader.GSO_UDP_L4, gsoType(2));
        assertEquals(VirtioNetHeader.GSO_UDP_L4, gsoType(3));
    }

    @Test
    void withoutUsoUdpPassesAloneAndTcpStillCoalesces() {
        GroCoalescer coalescer = new GroCoalescer(PooledByteBufAllocator.DEFAULT, 4, false, written::add);
        List<ByteBuf> datagrams = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            coalescer.add(tcp(i));
            ByteBuf d = udp(i);
            datagrams.add(d);
            coalescer.add(d);
        }
        assertEquals(datagrams, written, "each datagram at once, in place");
        coalescer.flush();
        assertEquals(4, written.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(VirtioNetHeader.GSO_NONE, gsoType(i));
            assertEquals(0, header.flags());
        }
        assertEquals(VirtioNetHeader.GSO_TCPV4, gsoType(3));
    }
}
