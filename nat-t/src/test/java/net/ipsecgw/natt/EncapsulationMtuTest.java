package net.ipsecgw.natt;

import static net.ipsecgw.natt.EncapsulationMtu.IpVersion.IPV4;
import static net.ipsecgw.natt.EncapsulationMtu.IpVersion.IPV6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.ipsecgw.natt.EncapsulationMtu.IpVersion;
import org.junit.jupiter.api.Test;

class EncapsulationMtuTest {
    /**
     * Lays out the outer packet octet by octet, padding as RFC 4303 §2.4 describes it (add padding
     * octets until payload + padding + 2 is a multiple of 4), and returns its length. Independent of
     * the formula under test.
     */
    private static int encapsulatedLength(int innerLength, IpVersion outer) {
        ByteBuf packet = Unpooled.buffer();
        packet.writeZero(outer == IPV4 ? 20 : 40); // outer IP header
        packet.writeZero(8); // UDP header (RFC 768)
        packet.writeInt(0x1000).writeInt(1); // SPI, sequence number
        packet.writeZero(8); // IV
        int payloadStart = packet.writerIndex();
        packet.writeZero(innerLength);
        int padding = 0;
        while ((packet.writerIndex() - payloadStart + padding + 2) % 4 != 0) {
            padding++;
        }
        for (int i = 1; i <= padding; i++) {
            packet.writeByte(i); // RFC 4303 §2.4 default padding: 1, 2, 3, ...
        }
        packet.writeByte(padding).writeByte(4); // pad length, next header (IPv4)
        packet.writeZero(16); // ICV
        return packet.readableBytes();
    }

    @Test
    void documentedExamples() {
        assertEquals(1438, EncapsulationMtu.tunMtu(1500, IPV4));
        assertEquals(1418, EncapsulationMtu.tunMtu(1500, IPV6));
        assertEquals(1398, EncapsulationMtu.tcpMss(1438, IPV4));
        assertEquals(1378, EncapsulationMtu.tcpMss(1418, IPV4));
        assertEquals(1358, EncapsulationMtu.tcpMss(1418, IPV6));
    }

    @Test
    void packetOfTunMtuFitsAndOneOctetMoreDoesNot() {
        for (IpVersion outer : IpVersion.values()) {
            for (int pathMtu = Math.max(576, outer.minimumMtu()); pathMtu <= 9000; pathMtu++) {
                int mtu = EncapsulationMtu.tunMtu(pathMtu, outer);
                String where = "path MTU " + pathMtu + " over " + outer;
                assertTrue(encapsulatedLength(mtu, outer) <= pathMtu, where);
                assertTrue(encapsulatedLength(mtu + 1, outer) > pathMtu, where);
            }
        }
    }

    @Test
    void exampleLayoutIsExactlyThePathMtu() {
        assertEquals(1500, encapsulatedLength(1438, IPV4));
        assertEquals(1504, encapsulatedLength(1439, IPV4));
    }

    @Test
    void tcpSegmentOfMssFillsTheTunnelMtu() {
        int mtu = EncapsulationMtu.tunMtu(1500, IPV6);
        assertEquals(mtu, EncapsulationMtu.tcpMss(mtu, IPV4) + 20 + 20);
        assertEquals(mtu, EncapsulationMtu.tcpMss(mtu, IPV6) + 40 + 20);
    }

    @Test
    void rejectsPathMtusBelowTheMinimumAndMssWithNoRoom() {
        assertEquals(6, EncapsulationMtu.tunMtu(68, IPV4));
        assertThrows(IllegalArgumentException.class, () -> EncapsulationMtu.tunMtu(67, IPV4));
        assertThrows(IllegalArgumentException.class, () -> EncapsulationMtu.tunMtu(1279, IPV6));
        assertEquals(1198, EncapsulationMtu.tunMtu(1280, IPV6));
        assertThrows(IllegalArgumentException.class, () -> EncapsulationMtu.tcpMss(40, IPV4));
    }
}
