package net.ipsecgw.esp;

import static net.ipsecgw.esp.EspPackets.bytes;
import static net.ipsecgw.esp.EspPackets.inbound;
import static net.ipsecgw.esp.EspPackets.innerPacket;
import static net.ipsecgw.esp.EspPackets.parameters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Authentic packets whose decrypted trailer or inner packet is wrong (RFC 4303 §§2.4-2.7): these are
 * built by sealing a hand-made plaintext with the SA's own key, so they pass the ICV.
 */
class EspTrailerTest {
    private final SaParameters parameters = parameters(EspCipherSuite.AES_128_GCM_16, false);
    private final byte[] inner = innerPacket(new Random(9), 26, false);

    /** An authentic ESP packet with sequence number 1 whose plaintext is exactly {@code plaintext}. */
    private ByteBuf sealed(byte[] plaintext) {
        ByteBuf buf = Unpooled.buffer(EspSa.PREFIX_LENGTH + plaintext.length + EspCipherSuite.ICV_LENGTH);
        buf.writeInt(EspPackets.SPI).writeInt(1).writeLong(1).writeBytes(plaintext);
        byte[] aad = {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1};
        AeadCiphers.create(parameters.suite(), parameters.keys())
                .seal(buf, EspSa.PREFIX_LENGTH, plaintext.length, 1, aad, aad.length);
        return buf.writerIndex(buf.capacity());
    }

    private static byte[] plaintext(byte[] payload, byte[] padding, int padLength, int nextHeader) {
        byte[] all = Arrays.copyOf(payload, payload.length + padding.length + 2);
        System.arraycopy(padding, 0, all, payload.length, padding.length);
        all[all.length - 2] = (byte) padLength;
        all[all.length - 1] = (byte) nextHeader;
        return all;
    }

    private DropReason decapsulate(byte[] plaintext) {
        return inbound(parameters).decapsulate(sealed(plaintext));
    }

    @Test
    void acceptsWellFormedHandMadePacket() {
        InboundSa in = inbound(parameters);
        ByteBuf buf = sealed(plaintext(inner, new byte[] {1, 2, 3, 4}, 4, 4));
        assertEquals(DropReason.NONE, in.decapsulate(buf), "longer than minimal padding is allowed");
        assertArrayEquals(inner, bytes(buf));
    }

    @Test
    void rejectsPaddingThatIsNotOneTwoThree() {
        assertEquals(DropReason.BAD_PADDING, decapsulate(plaintext(inner, new byte[] {1, 2, 4, 4}, 4, 4)));
        assertEquals(DropReason.BAD_PADDING, decapsulate(plaintext(inner, new byte[] {0, 0, 0, 0}, 4, 4)));
    }

    @Test
    void rejectsPadLengthBeyondThePayload() {
        byte[] plaintext = plaintext(new byte[] {1, 2}, new byte[0], 3, 4);
        InboundSa in = inbound(parameters);
        assertEquals(DropReason.BAD_PAD_LENGTH, in.decapsulate(sealed(plaintext)));
        assertEquals(1, in.drops(DropReason.BAD_PAD_LENGTH));
        assertEquals(1, in.window().top(), "authentic: the window moved even though the packet is dropped");
    }

    @Test
    void discardsDummyPackets() {
        assertEquals(DropReason.DUMMY_PACKET, decapsulate(plaintext(new byte[] {9, 9}, new byte[0], 0, 59)));
    }

    @Test
    void rejectsNonTunnelNextHeader() {
        assertEquals(DropReason.UNSUPPORTED_NEXT_HEADER, decapsulate(plaintext(inner, new byte[] {1, 2, 3, 4}, 4, 17)));
    }

    @Test
    void rejectsInnerPacketThatContradictsTheNextHeader() {
        assertEquals(DropReason.MALFORMED_INNER, decapsulate(plaintext(inner, new byte[] {1, 2, 3, 4}, 4, 41)));
        byte[] empty = {};
        assertEquals(DropReason.MALFORMED_INNER, decapsulate(plaintext(empty, new byte[] {1, 2}, 2, 4)));
        byte[] lying = inner.clone();
        lying[3] = (byte) (inner.length + 1); // IPv4 total length beyond the payload
        assertEquals(DropReason.MALFORMED_INNER, decapsulate(plaintext(lying, new byte[] {1, 2, 3, 4}, 4, 4)));
    }

    @Test
    void trimsTrafficFlowConfidentialityPaddingByTheInnerLength() {
        byte[] withTfc = Arrays.copyOf(inner, inner.length + 100); // RFC 4303 §2.7: TFC padding after the packet
        InboundSa in = inbound(parameters);
        ByteBuf buf = sealed(plaintext(withTfc, new byte[] {1, 2}, 2, 4));
        assertEquals(DropReason.NONE, in.decapsulate(buf));
        assertArrayEquals(inner, bytes(buf));
    }
}
