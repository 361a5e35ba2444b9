package net.ipsecgw.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Builds IPv4/IPv6 TCP packets and checks them from first principles, independently of the code under test. */
final class TcpPackets {
    static final int ACK = 0x10;
    static final int PSH = 0x08;
    static final int FIN = 0x01;
    static final int CWR = 0x80;
    static final int ECE = 0x40;

    private TcpPackets() {}

    /** Payload byte {@code i} of a test stream: a pattern that shows misplaced data. */
    static byte payloadByte(long i) {
        return (byte) (i * 31 + (i >>> 8));
    }

    /**
     * An IPv4 + TCP packet (TCP header with 12 bytes of timestamp option) whose payload is stream
     * bytes {@code [payloadStart, payloadStart + payloadLength)}; checksums left as given.
     */
    static ByteBuf ipv4(int ipId, long seq, int flags, long payloadStart, int payloadLength, int tcpChecksum) {
        int total = 20 + 32 + payloadLength;
        ByteBuf p = Unpooled.buffer(total + 64);
        p.writeZero(16).readerIndex(16); // leave bytes before the packet, as a read buffer would
        p.writeByte(0x45)
                .writeByte(0x02)
                .writeShort(total & 0xffff)
                .writeShort(ipId)
                .writeShort(0x4000);
        p.writeByte(64).writeByte(6).writeShort(0xbeef); // wrong header checksum on purpose
        p.writeBytes(new byte[] {10, 1, 2, 3, (byte) 192, (byte) 168, 77, 9});
        tcp(p, seq, flags, payloadStart, payloadLength, tcpChecksum);
        return p;
    }

    /** The same for IPv6 (no extension headers). */
    static ByteBuf ipv6(long seq, int flags, long payloadStart, int payloadLength, int tcpChecksum) {
        int l4 = 32 + payloadLength;
        ByteBuf p = Unpooled.buffer(40 + l4 + 64);
        p.writeZero(16).readerIndex(16);
        p.writeInt(0x60012345).writeShort(l4 & 0xffff).writeByte(6).writeByte(55);
        for (int i = 0; i < 32; i++) {
            p.writeByte(i < 16 ? 0x20 + i * 3 : 0xfd - i);
        }
        tcp(p, seq, flags, payloadStart, payloadLength, tcpChecksum);
        return p;
    }

    private static void tcp(ByteBuf p, long seq, int flags, long payloadStart, int payloadLength, int checksum) {
        p.writeShort(44444).writeShort(5001).writeInt((int) seq).writeInt(0x11223344);
        p.writeByte(8 << 4)
                .writeByte(flags)
                .writeShort(502)
                .writeShort(checksum)
                .writeShort(0);
        p.writeBytes(new byte[] {1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78});
        for (int i = 0; i < payloadLength; i++) {
            p.writeByte(payloadByte(payloadStart + i));
        }
    }

    /** Computes the IPv4 header checksum (for IPv4) and the TCP checksum in place; returns {@code p}. */
    static ByteBuf withChecksums(ByteBuf p) {
        int at = p.readerIndex();
        int l4 = p.readableBytes() - tcpOffset(p);
        long pseudo;
        if (isV4(p)) {
            InternetChecksum.setIpv4HeaderChecksum(p, at);
            pseudo = InternetChecksum.pseudoHeaderIpv4(p, at, 6, l4);
        } else {
            pseudo = InternetChecksum.pseudoHeaderIpv6(p, at, 6, l4);
        }
        p.setShort(tcpAt(p, 16), 0);
        p.setShort(tcpAt(p, 16), InternetChecksum.finish(InternetChecksum.sum(p, at + tcpOffset(p), l4, pseudo)));
        return p;
    }

    static boolean isV4(ByteBuf p) {
        return p.getUnsignedByte(p.readerIndex()) >>> 4 == 4;
    }

    static int tcpOffset(ByteBuf p) {
        return isV4(p) ? (p.getUnsignedByte(p.readerIndex()) & 0x0f) * 4 : 40;
    }

    static int tcpAt(ByteBuf p, int field) {
        return p.readerIndex() + tcpOffset(p) + field;
    }

    static long seq(ByteBuf p) {
        return p.getUnsignedInt(tcpAt(p, 4));
    }

    static int flags(ByteBuf p) {
        return p.getUnsignedByte(tcpAt(p, 13));
    }

    static int payloadLength(ByteBuf p) {
        return p.readableBytes() - tcpOffset(p) - (p.getUnsignedByte(tcpAt(p, 12)) >>> 4) * 4;
    }

    /** Asserts the IP length field, the IPv4 header checksum and the TCP checksum, computed word by word. */
    static void assertValid(ByteBuf p) {
        int at = p.readerIndex();
        int l4 = p.readableBytes() - tcpOffset(p);
        long sum = 6 + l4;
        if (isV4(p)) {
            assertEquals(p.readableBytes(), p.getUnsignedShort(at + 2), "IPv4 total length");
            assertEquals(0, InternetChecksumTest.naive(p, at, 20), "IPv4 header checksum");
            sum += words(p, at + 12, 8);
        } else {
            assertEquals(p.readableBytes() - 40, p.getUnsignedShort(at + 4), "IPv6 payload length");
            sum += words(p, at + 8, 32);
        }
        sum += words(p, at + tcpOffset(p), l4);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        assertEquals(0xffff, sum, "TCP checksum");
    }

    private static long words(ByteBuf p, int index, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += (p.getUnsignedByte(index + i) << 8) | (i + 1 < length ? p.getUnsignedByte(index + i + 1) : 0);
        }
        return sum;
    }

    /** Asserts that the payload of {@code p} is stream bytes {@code [from, from + length)}. */
    static void assertPayload(ByteBuf p, long from, int length) {
        assertEquals(length, payloadLength(p), "payload length");
        int at = p.writerIndex() - length;
        for (int i = 0; i < length; i++) {
            if (p.getByte(at + i) != payloadByte(from + i)) {
                assertEquals(payloadByte(from + i), p.getByte(at + i), "payload byte " + (from + i));
            }
        }
    }

    static ByteBuf copy(ByteBuf p) {
        return Unpooled.copiedBuffer(p);
    }
}
