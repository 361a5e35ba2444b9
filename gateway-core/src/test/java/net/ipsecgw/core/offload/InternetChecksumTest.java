package net.ipsecgw.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
    /** A TCP SYN that Linux wrote to a TUN device (10.9.0.1:47796 to 10.9.0.2:8080), checksums complete. */
    private static final String SYN = "4500003cdfe34000400646c40a0900010a090002bab41f9004ce47a400000000"
            + "a002faf091060000020405b40402080a8672fac7000000000103030a";
    /** A UDP datagram from the same capture (payload "hello, checksum world!"). */
    private static final String UDP =
            "450000321865400040110e420a0900010a0900029208270f001ed3c0" + "68656c6c6f2c20636865636b73756d20776f726c6421";

    @Test
    void rfc1071Example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement), checksum 220d.
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0001f203f4f5f6f7"));
        assertEquals(0xddf2, InternetChecksum.fold(InternetChecksum.sum(buf, 0, 8, 0)));
        assertEquals(0x220d, InternetChecksum.checksum(buf, 0, 8));
    }

    @Test
    void capturedIpv4HeaderChecksum() {
        ByteBuf p = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(SYN));
        assertEquals(0, InternetChecksum.checksum(p, 0, 20), "a correct header sums to 0xffff");
        p.setShort(10, 0x1234);
        InternetChecksum.setIpv4HeaderChecksum(p, 0);
        assertEquals(0x46c4, p.getUnsignedShort(10));
    }

    @Test
    void capturedTcpChecksumWithThePseudoHeader() {
        ByteBuf p = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(SYN));
        int tcpLength = p.readableBytes() - 20;
        p.setShort(20 + 16, 0);
        long pseudo = InternetChecksum.pseudoHeaderIpv4(p, 0, 6, tcpLength);
        assertEquals(0x9106, InternetChecksum.finish(InternetChecksum.sum(p, 20, tcpLength, pseudo)));
    }

    @Test
    void capturedUdpChecksumWithThePseudoHeader() {
        ByteBuf p = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(UDP));
        int udpLength = p.readableBytes() - 20;
        p.setShort(20 + 6, 0);
        long pseudo = InternetChecksum.pseudoHeaderIpv4(p, 0, 17, udpLength);
        assertEquals(0xd3c0, InternetChecksum.finish(InternetChecksum.sum(p, 20, udpLength, pseudo)));
        InternetChecksum.setIpv4HeaderChecksum(p, 0);
        assertEquals(0x0e42, p.getUnsignedShort(10));
    }

    @Test
    void ipv6PseudoHeaderCoversBothAddressesLengthAndNextHeader() {
        ByteBuf ip6 = Unpooled.buffer(40).writeZero(40);
        for (int i = 0; i < 32; i++) {
            ip6.setByte(8 + i, i * 7 + 1);
        }
        long expected = 6 + 1234;
        for (int i = 0; i < 32; i += 2) {
            expected += ip6.getUnsignedShort(8 + i);
        }
        assertEquals(
                InternetChecksum.fold(expected),
                InternetChecksum.fold(InternetChecksum.pseudoHeaderIpv6(ip6, 0, 6, 1234)));
    }

    @Test
    void wideSumsEqualTheWordByWordDefinitionForEveryLengthAndOffset() {
        Random random = new Random(7);
        byte[] data = new byte[300];
        for (int round = 0; round < 50; round++) {
            random.nextBytes(data);
            if (round % 5 == 0) {
                java.util.Arrays.fill(data, (byte) 0xff); // maximal carries
            }
            ByteBuf buf = Unpooled.directBuffer(310).writeZero(3).writeBytes(data);
            for (int length = 0; length <= 80; length++) {
                int start = 3 + random.nextInt(100);
                assertEquals(naive(buf, start, length), InternetChecksum.checksum(buf, start, length));
            }
            assertEquals(naive(buf, 3, 300), InternetChecksum.checksum(buf, 3, 300));
            buf.release();
        }
    }

    @Test
    void partialSumsOfEvenPiecesAddUp() {
        ByteBuf p = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(UDP));
        long whole = InternetChecksum.sum(p, 0, p.readableBytes(), 0);
        long pieces = InternetChecksum.sum(p, 20, p.readableBytes() - 20, InternetChecksum.sum(p, 0, 20, 0));
        assertEquals(InternetChecksum.fold(whole), InternetChecksum.fold(pieces));
    }

    /** RFC 1071 taken literally: 16-bit words, 32-bit accumulator, fold, complement. */
    static int naive(ByteBuf buf, int index, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = buf.getUnsignedByte(index + i);
            int lo = i + 1 < length ? buf.getUnsignedByte(index + i + 1) : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) ~sum & 0xffff;
    }

    @Test
    void theDirectMemorySumAgreesWithThePortableOneForEveryLengthAndOffset() {
        Random random = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int length = random.nextInt(1600);
            int offset = 2 * random.nextInt(8); // ranges start at an even offset of the checksummed data
            byte[] bytes = new byte[offset + length + 8];
            random.nextBytes(bytes);
            if (trial % 10 == 0) {
                java.util.Arrays.fill(bytes, (byte) 0xff); // many carries
            }
            ByteBuf direct = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
            try {
                direct.writeBytes(bytes);
                long initial = random.nextInt(0x3ffff);
                long fast = InternetChecksum.sum(direct, offset, length, initial);
                long portable = InternetChecksum.sumPortable(Unpooled.wrappedBuffer(bytes), offset, length, initial);
                assertEquals(
                        InternetChecksum.fold(portable),
                        InternetChecksum.fold(fast),
                        "length " + length + " at " + offset);
            } finally {
                direct.release();
            }
        }
    }
}
