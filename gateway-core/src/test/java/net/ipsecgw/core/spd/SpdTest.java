package net.ipsecgw.core.spd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.NetUtil;
import org.junit.jupiter.api.Test;

class SpdTest {

    private static ByteBuf ipv4(String source, String destination, int protocol, int destinationPort) {
        ByteBuf packet = Unpooled.buffer(28);
        packet.writeByte(0x45)
                .writeByte(0)
                .writeShort(28)
                .writeInt(0)
                .writeByte(64)
                .writeByte(protocol);
        packet.writeShort(0);
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString(source));
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString(destination));
        return packet.writeShort(40000).writeShort(destinationPort).writeInt(0);
    }

    private static ByteBuf ipv6(String source, String destination, int nextHeader, int destinationPort) {
        ByteBuf packet = Unpooled.buffer(48);
        packet.writeInt(0x6000_0000).writeShort(8).writeByte(nextHeader).writeByte(64);
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString(source));
        packet.writeBytes(NetUtil.createByteArrayFromIpAddressString(destination));
        return packet.writeShort(40000).writeShort(destinationPort).writeInt(0);
    }

    @Test
    void longestPrefixWins() {
        Spd<String> spd = Spd.<String>builder()
                .add(TrafficSelector.between("10.1.0.0/16", "10.2.0.0/16"), "wide")
                .add(TrafficSelector.between("10.1.0.0/16", "10.2.3.0/24"), "narrow")
                .add(TrafficSelector.between("10.1.0.0/16", "0.0.0.0/0"), "default")
                .build();
        assertEquals("narrow", spd.lookup(ipv4("10.1.0.5", "10.2.3.4", 1, 0), 0));
        assertEquals("wide", spd.lookup(ipv4("10.1.0.5", "10.2.4.4", 1, 0), 0));
        assertEquals("default", spd.lookup(ipv4("10.1.0.5", "192.0.2.1", 1, 0), 0));
    }

    @Test
    void sourceMustBeInsideTheLocalSelector() {
        Spd<String> spd = Spd.<String>builder()
                .add(TrafficSelector.between("10.1.0.0/16", "10.2.0.0/16"), "t")
                .build();
        assertNull(spd.lookup(ipv4("10.9.0.5", "10.2.3.4", 1, 0), 0));
    }

    @Test
    void protocolAndPortNarrowTheMatch() {
        IpPrefix local = IpPrefix.parse("10.1.0.0/16");
        IpPrefix remote = IpPrefix.parse("10.2.0.0/16");
        Spd<String> spd = Spd.<String>builder()
                .add(new TrafficSelector(local, remote, 6, 443, 443), "https")
                .add(new TrafficSelector(local, remote, 17, 0, 65535), "udp")
                .build();
        assertEquals("https", spd.lookup(ipv4("10.1.0.1", "10.2.0.1", 6, 443), 0));
        assertNull(spd.lookup(ipv4("10.1.0.1", "10.2.0.1", 6, 80), 0));
        assertEquals("udp", spd.lookup(ipv4("10.1.0.1", "10.2.0.1", 17, 53), 0));
        assertNull(spd.lookup(ipv4("10.1.0.1", "10.2.0.1", 1, 0), 0));
    }

    @Test
    void ipv6LongestPrefixAndSource() {
        Spd<String> spd = Spd.<String>builder()
                .add(TrafficSelector.between("2001:db8:1::/48", "2001:db8:2::/48"), "wide")
                .add(TrafficSelector.between("2001:db8:1::/48", "2001:db8:2:5::/64"), "narrow")
                .build();
        assertEquals("narrow", spd.lookup(ipv6("2001:db8:1::1", "2001:db8:2:5::9", 17, 53), 0));
        assertEquals("wide", spd.lookup(ipv6("2001:db8:1::1", "2001:db8:2:6::9", 17, 53), 0));
        assertNull(spd.lookup(ipv6("2001:db8:7::1", "2001:db8:2:6::9", 17, 53), 0));
    }

    @Test
    void truncatedOrNonIpPacketsMiss() {
        Spd<String> spd = Spd.<String>builder()
                .add(TrafficSelector.between("0.0.0.0/0", "0.0.0.0/0"), "all")
                .build();
        assertNull(spd.lookup(Unpooled.wrappedBuffer(new byte[19]), 0));
        ByteBuf notIp = ipv4("10.1.0.1", "10.2.0.1", 1, 0).setByte(0, 0x15);
        assertNull(spd.lookup(notIp, 0));
        assertEquals("all", spd.lookup(ipv4("10.1.0.1", "10.2.0.1", 1, 0), 0));
    }

    @Test
    void prefixParsingClearsHostBitsAndNamesBadInput() {
        assertEquals("10.2.0.0/16", IpPrefix.parse("10.2.3.4/16").toString());
        assertEquals(32, IpPrefix.parse("192.0.2.1").length());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
        assertEquals("prefix length 33 out of range for 32-bit addresses", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("nonsense/8"));
        assertThrows(IllegalArgumentException.class, () -> TrafficSelector.between("10.0.0.0/8", "2001:db8::/32"));
    }
}
