package net.ipsecgw.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Builds IPv4/IPv6 UDP packets and checks them from first principles, independently of the code under test. */
final class UdpPackets {
    static final int SOURCE_PORT = 44444;
    static final int DESTINATION_PORT = 4433;

    private UdpPackets() {}

    /**
     * An IPv4 + UDP packet (TOS 0x02, DF, TTL 64) whose payload is stream bytes {@code [from, from +
     * length)}, with 16 bytes free before it; lengths set, the IPv4 header checksum wrong and the UDP
     * checksum {@code checksum}.
     */
    static ByteBuf ipv4(int ipId, long from, int length, int checksum) {
        int total = 20 + 8 + length;
        ByteBuf p = Unpooled.buffer(16 + total + 64);
        p.writeZero(16).readerIndex(16);
        p.writeByte(0x45)
                .writeByte(0x02)
                .writeShort(total & 0xffff)
                .writeShort(ipId)
                .writeShort(0x4000);
        p.writeByte(64).writeByte(17).writeShort(0xbeef);
        p.writeBytes(new byte[] {10, 1, 2, 3, (byte) 192, (byte) 168, 77, 9});
        udp(p, from, length, checksum);
        return p;
    }

    /** The same for IPv6 (traffic class 0x12, flow label 0x34567, hop limit 55, no extension headers). */
    static ByteBuf ipv6(long from, int length, int checksum) {
        int l4 = 8 + length;
        ByteBuf p = Unpooled.buffer(16 + 40 + l4 + 64);
        p.writeZero(16).readerIndex(16);
        p.writeInt(0x61234567).writeShort(l4 & 0xffff).writeByte(17).writeByte(55);
        for (int i = 0; i < 32; i++) {
            p.writeByte(i < 16 ? 0x20 + i * 3 : 0xfd - i);
        }
        udp(p, from, length, checksum);
        return p;
    }

    private static void udp(ByteBuf p, long from, int length, int checksum) {
        p.writeShort(SOURCE_PORT).writeShort(DESTINATION_PORT).writeShort((8 + length) & 0xffff);
        p.writeShort(checksum);
        for (int i = 0; i < length; i++) {
            p.writeByte(TcpPackets.payloadByte(from + i));
        }
    }

    static boolean isV4(ByteBuf p) {
        return p.getUnsignedByte(p.readerIndex()) >>> 4 == 4;
    }

    /** Where UDP starts: after the IPv4 header, or after the IPv6 header and its extension headers. */
    static int udpOffset(ByteBuf p) {
        int at = p.readerIndex();
        if (isV4(p)) {
            return (p.getUnsignedByte(at) & 0x0f) * 4;
        }
        int next = p.getUnsignedByte(at + 6);
        int offset = 40;
        while (next != 17) {
            next = p.getUnsignedByte(at + offset);
            offset += (p.getUnsignedByte(at + offset + 1) + 1) * 8;
        }
        return offset;
    }

    static int udpAt(ByteBuf p, int field) {
        return p.readerIndex() + udpOffset(p) + field;
    }

    static int payloadLength(ByteBuf p) {
        return p.readableBytes() - udpOffset(p) - 8;
    }

    /** Sets the IPv4 header checksum (for IPv4) and the full UDP checksum (0 sent as 0xffff); returns {@code p}. */
    static ByteBuf withChecksums(ByteBuf p) {
        int at = p.readerIndex();
        int l4 = p.readableBytes() - udpOffset(p);
        if (isV4(p)) {
            p.setShort(at + 10, 0);
            p.setShort(at + 10, ~fold(words(p, at, 20)) & 0xffff);
        }
        p.setShort(udpAt(p, 6), 0);
        int checksum = ~fold(pseudoHeader(p, l4) + words(p, at + udpOffset(p), l4)) & 0xffff;
        p.setShort(udpAt(p, 6), checksum == 0 ? 0xffff : checksum);
        return p;
    }

    /** Sets the IPv4 header checksum and puts the folded pseudo-header sum in the UDP checksum field. */
    static ByteBuf withPartialChecksum(ByteBuf p) {
        withChecksums(p);
        p.setShort(udpAt(p, 6), fold(pseudoHeader(p, p.readableBytes() - udpOffset(p))));
        return p;
    }

    /**
     * Asserts the IP and UDP length fields, the IPv4 header checksum and the UDP checksum (present, and
     * summing to 0xffff), computed word by word.
     */
    static void assertValid(ByteBuf p) {
        int at = p.readerIndex();
        int l4 = p.readableBytes() - udpOffset(p);
        if (isV4(p)) {
            assertEquals(p.readableBytes(), p.getUnsignedShort(at + 2), "IPv4 total length");
            assertEquals(0xffff, fold(words(p, at, 20)), "IPv4 header checksum");
        } else {
            assertEquals(p.readableBytes() - 40, p.getUnsignedShort(at + 4), "IPv6 payload length");
        }
        assertEquals(l4, p.getUnsignedShort(udpAt(p, 4)), "UDP length");
        assertNotEquals(0, p.getUnsignedShort(udpAt(p, 6)), "UDP checksum present");
        assertEquals(0xffff, fold(pseudoHeader(p, l4) + words(p, at + udpOffset(p), l4)), "UDP checksum");
    }

    /** Asserts that the payload of {@code p} is stream bytes {@code [from, from + length)}. */
    static void assertPayload(ByteBuf p, long from, int length) {
        assertEquals(length, payloadLength(p), "payload length");
        int at = p.writerIndex() - length;
        for (int i = 0; i < length; i++) {
            if (p.getByte(at + i) != TcpPackets.payloadByte(from + i)) {
                assertEquals(TcpPackets.payloadByte(from + i), p.getByte(at + i), "payload byte " + (from + i));
            }
        }
    }

    private static long pseudoHeader(ByteBuf p, int l4) {
        int at = p.readerIndex();
        return 17 + l4 + (isV4(p) ? words(p, at + 12, 8) : words(p, at + 8, 32));
    }

    static long words(ByteBuf p, int index, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += (p.getUnsignedByte(index + i) << 8) | (i + 1 < length ? p.getUnsignedByte(index + i + 1) : 0);
        }
        return sum;
    }

    static int fold(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    static ByteBuf copy(ByteBuf p) {
        return Unpooled.copiedBuffer(p);
    }
}
