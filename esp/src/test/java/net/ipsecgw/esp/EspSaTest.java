package net.ipsecgw.esp;

import static net.ipsecgw.esp.EspPackets.bytes;
import static net.ipsecgw.esp.EspPackets.inbound;
import static net.ipsecgw.esp.EspPackets.innerPacket;
import static net.ipsecgw.esp.EspPackets.outbound;
import static net.ipsecgw.esp.EspPackets.parameters;
import static net.ipsecgw.esp.EspPackets.withRoom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.ipsecgw.esp.AeadCiphers.Implementation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class EspSaTest {

    static Stream<Arguments> suitesAndEsn() {
        List<Arguments> all = new ArrayList<>();
        for (Implementation implementation : Implementation.values()) {
            for (EspCipherSuite suite : EspCipherSuite.values()) {
                all.add(Arguments.of(implementation, suite, false));
                all.add(Arguments.of(implementation, suite, true));
            }
        }
        return all.stream();
    }

    /** Property: any inner packet of any size survives encapsulation and decapsulation unchanged. */
    @ParameterizedTest
    @MethodSource("suitesAndEsn")
    void randomInnerPacketsRoundTrip(Implementation implementation, EspCipherSuite suite, boolean esn) {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        SaParameters parameters = parameters(suite, esn);
        OutboundSa out = new OutboundSa(parameters, cipher(implementation, parameters), LifetimeListener.NONE, 0);
        InboundSa in = new InboundSa(parameters, cipher(implementation, parameters), LifetimeListener.NONE, 0);
        for (int i = 0; i < 2_000; i++) {
            boolean ipv6 = random.nextBoolean();
            int length = (ipv6 ? 40 : 20) + random.nextInt(1500);
            byte[] inner = innerPacket(random, length, ipv6);
            ByteBuf buf = random.nextBoolean() ? withRoom(inner) : EspPackets.directWithRoom(inner);
            try {
                int nextHeader = ipv6 ? EspSa.NEXT_HEADER_IPV6 : EspSa.NEXT_HEADER_IPV4;
                assertEquals(DropReason.NONE, out.encapsulate(buf, nextHeader), "seed " + seed);
                assertEquals(0, (buf.readableBytes() - EspSa.PREFIX_LENGTH - 16) % EspSa.ALIGNMENT);
                assertEquals(DropReason.NONE, in.decapsulate(buf), "seed " + seed);
                assertArrayEquals(inner, bytes(buf), "seed " + seed);
                assertEquals(nextHeader, in.lastNextHeader());
            } finally {
                buf.release();
            }
        }
        assertEquals(2_000, out.packets());
        assertEquals(2_000, in.packets());
        assertEquals(out.bytes(), in.bytes());
    }

    @ParameterizedTest
    @EnumSource(EspCipherSuite.class)
    void writesHeaderAndMonotonicPadding(EspCipherSuite suite) {
        SaParameters parameters = parameters(suite, false);
        OutboundSa out = outbound(parameters);
        InboundSa in = inbound(parameters);
        byte[] inner = innerPacket(new Random(1), 19, false); // 19 + 2 = 21: three bytes of padding
        ByteBuf buf = withRoom(inner);
        out.encapsulate(buf, EspSa.NEXT_HEADER_IPV4);
        assertEquals(EspPackets.SPI, buf.getInt(0));
        assertEquals(1, buf.getInt(4), "first sequence number is 1");
        assertEquals(1, buf.getLong(8), "IV is the sequence number");
        assertEquals(EspSa.PREFIX_LENGTH + 24 + 16, buf.readableBytes());
        // Decrypt in place and look at the trailer before the SA trims it.
        in.cipher.open(buf, EspSa.PREFIX_LENGTH, 24, 1, new byte[] {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1}, 8);
        assertArrayEquals(
                new byte[] {1, 2, 3, 3, 4},
                bytes(buf.slice(EspSa.PREFIX_LENGTH + 19, 5)),
                "padding 1,2,3, pad length 3, next header 4");
    }

    @ParameterizedTest
    @MethodSource("suitesAndEsn")
    void everyTruncationIsDropped(Implementation implementation, EspCipherSuite suite, boolean esn) {
        SaParameters parameters = parameters(suite, esn);
        byte[] packet = encapsulated(parameters, innerPacket(new Random(2), 100, false));
        InboundSa in = new InboundSa(parameters, cipher(implementation, parameters), LifetimeListener.NONE, 0);
        for (int length = 0; length < packet.length; length++) {
            // A copy each time: a failed decryption may leave anything in the buffer.
            DropReason reason = in.decapsulate(Unpooled.wrappedBuffer(packet.clone(), 0, length));
            DropReason expected = length < EspSa.MIN_PACKET_LENGTH ? DropReason.TRUNCATED : DropReason.BAD_ICV;
            assertEquals(expected, reason, "length " + length);
        }
        assertEquals(DropReason.NONE, in.decapsulate(Unpooled.wrappedBuffer(packet)), "the whole packet");
    }

    @ParameterizedTest
    @MethodSource("suitesAndEsn")
    void aFlippedBitAnywhereIsRejected(Implementation implementation, EspCipherSuite suite, boolean esn) {
        SaParameters parameters = parameters(suite, esn);
        byte[] packet = encapsulated(parameters, innerPacket(new Random(3), 60, true));
        InboundSa in = new InboundSa(parameters, cipher(implementation, parameters), LifetimeListener.NONE, 0);
        for (int bit = 0; bit < packet.length * 8; bit++) {
            byte[] copy = packet.clone();
            copy[bit / 8] ^= (byte) (1 << (bit % 8));
            DropReason reason = in.decapsulate(Unpooled.wrappedBuffer(copy));
            DropReason expected = bit < 32 ? DropReason.UNKNOWN_SPI : DropReason.BAD_ICV;
            if (bit >= 32 && bit < 64 && sequenceAfterFlip(copy) == 0) {
                expected = DropReason.REPLAYED; // sequence number 0 is never valid
            }
            assertEquals(expected, reason, "bit " + bit);
        }
        assertEquals(0, in.packets());
        assertEquals(DropReason.NONE, in.decapsulate(Unpooled.wrappedBuffer(packet)), "the original still passes");
    }

    @Test
    void replayedPacketIsDroppedBeforeDecryption() {
        SaParameters parameters = parameters(EspCipherSuite.AES_128_GCM_16, false);
        byte[] packet = encapsulated(parameters, innerPacket(new Random(4), 40, false));
        InboundSa in = inbound(parameters);
        assertEquals(DropReason.NONE, in.decapsulate(Unpooled.wrappedBuffer(packet.clone())));
        assertEquals(DropReason.REPLAYED, in.decapsulate(Unpooled.wrappedBuffer(packet.clone())));
        assertEquals(1, in.drops(DropReason.REPLAYED));
    }

    @Test
    void forgedPacketDoesNotMoveTheWindow() {
        SaParameters parameters = parameters(EspCipherSuite.AES_256_GCM_16, false);
        InboundSa in = inbound(parameters);
        byte[] forged = encapsulated(parameters, innerPacket(new Random(5), 40, false));
        forged[4] = 0x7f; // a sequence number far ahead
        forged[forged.length - 1] ^= 1;
        assertEquals(DropReason.BAD_ICV, in.decapsulate(Unpooled.wrappedBuffer(forged)));
        assertEquals(0, in.window().top());
    }

    @Test
    void unknownSpiIsDropped() {
        SaParameters parameters = parameters(EspCipherSuite.CHACHA20_POLY1305, false);
        byte[] packet = encapsulated(parameters, innerPacket(new Random(6), 40, false));
        SaParameters other =
                new SaParameters(0x0BAD_0BAD, parameters.suite(), parameters.keys(), false, 64, SaLifetime.UNLIMITED);
        assertEquals(DropReason.UNKNOWN_SPI, inbound(other).decapsulate(Unpooled.wrappedBuffer(packet)));
    }

    @Test
    void missingHeadroomOrTailroomIsDroppedAndBufferUntouched() {
        OutboundSa out = outbound(parameters(EspCipherSuite.AES_128_GCM_16, false));
        byte[] inner = innerPacket(new Random(7), 40, false);
        ByteBuf noHeadroom = Unpooled.buffer(100).writeBytes(inner);
        assertEquals(DropReason.NO_BUFFER_SPACE, out.encapsulate(noHeadroom, 4));
        assertArrayEquals(inner, bytes(noHeadroom));
        ByteBuf noTailroom = Unpooled.buffer(EspSa.HEADROOM + inner.length, EspSa.HEADROOM + inner.length);
        noTailroom.writerIndex(EspSa.HEADROOM).readerIndex(EspSa.HEADROOM).writeBytes(inner);
        assertEquals(DropReason.NO_BUFFER_SPACE, out.encapsulate(noTailroom, 4));
        assertEquals(0, out.sequence(), "a failed packet uses no sequence number");
    }

    private static byte[] encapsulated(SaParameters parameters, byte[] inner) {
        ByteBuf buf = withRoom(inner);
        int nextHeader = (inner[0] >>> 4) == 6 ? EspSa.NEXT_HEADER_IPV6 : EspSa.NEXT_HEADER_IPV4;
        assertEquals(DropReason.NONE, outbound(parameters).encapsulate(buf, nextHeader));
        return bytes(buf);
    }

    private static AeadCipher cipher(Implementation implementation, SaParameters parameters) {
        return AeadCiphers.create(implementation, parameters.suite(), parameters.keys());
    }

    private static long sequenceAfterFlip(byte[] packet) {
        return Unpooled.wrappedBuffer(packet).getUnsignedInt(4);
    }
}
