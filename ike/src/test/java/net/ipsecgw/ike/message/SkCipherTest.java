package net.ipsecgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SK payloads sealed by {@link IkeMessage#encodeEncrypted} open again with the peer's copy of the
 * cipher, for AES-GCM-16 and ChaCha20-Poly1305; any flipped bit of the authenticated data, IV,
 * ciphertext or ICV gives {@link IkeDecodeResult.IntegrityFailed}.
 */
class SkCipherTest {
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
    private static final byte[] KEY_AND_SALT =
            HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fa0a1a2a3");
    private static final IkeHeader HEADER = IkeHeader.of(11, 22, ExchangeType.IKE_AUTH, IkeHeader.FLAG_INITIATOR, 1);
    private static final IkeMessage MESSAGE = IkeMessage.of(
            HEADER,
            new IdPayload(true, IdType.FQDN, "initiator.example".getBytes()),
            new AuthPayload(AuthMethod.SHARED_KEY_MIC, new byte[32]),
            NotifyPayload.of(NotifyType.INITIAL_CONTACT));

    @ParameterizedTest
    @ValueSource(ints = {SkCipher.ENCR_AES_GCM_16, SkCipher.ENCR_CHACHA20_POLY1305})
    void roundTrips(int transform) {
        byte[] sealed = seal(transform);
        IkeMessage received = IkeMessage.decode(Unpooled.wrappedBuffer(sealed)).orElseThrow();
        assertEquals(
                List.of(PayloadType.SK),
                received.payloads().stream().map(IkePayload::type).toList());
        assertEquals(
                IkeHeader.LENGTH
                        + 4
                        + 8
                        + MESSAGE.payloads().stream()
                                .mapToInt(IkePayload::encodedLength)
                                .sum()
                        + 1
                        + 16,
                sealed.length);
        IkeMessage opened =
                received.decrypt(SkCipher.create(transform, KEY_AND_SALT)).orElseThrow();
        assertEquals(MESSAGE.payloads(), opened.payloads());
        assertEquals(HEADER.messageId(), opened.header().messageId());
    }

    @ParameterizedTest
    @ValueSource(ints = {SkCipher.ENCR_AES_GCM_16, SkCipher.ENCR_CHACHA20_POLY1305})
    void everyFlippedBitFailsIntegrityOrSyntax(int transform) {
        byte[] sealed = seal(transform);
        SkCipher peer = SkCipher.create(transform, KEY_AND_SALT);
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            int index = bit / 8;
            if (index == IkeHeader.LENGTH + 1) {
                continue; // critical and reserved bits of the SK header: ignored, and rebuilt as zero
            }
            byte[] flipped = sealed.clone();
            flipped[index] ^= (byte) (1 << (bit % 8));
            IkeDecodeResult decoded = IkeMessage.decode(Unpooled.wrappedBuffer(flipped));
            IkeDecodeResult result = decoded instanceof IkeDecodeResult.Ok(IkeMessage m) ? m.decrypt(peer) : decoded;
            assertFalse(result.isOk(), "bit " + bit);
            if (index >= IkeHeader.LENGTH + 4) {
                assertInstanceOf(IkeDecodeResult.IntegrityFailed.class, result, "bit " + bit);
            }
        }
    }

    @Test
    void ivsCountUpAndDifferPerMessage() {
        SkCipher cipher = SkCipher.create(SkCipher.ENCR_AES_GCM_16, KEY_AND_SALT);
        assertEquals(0, cipher.nextIv());
        assertEquals(1, cipher.nextIv());
        byte[] a = bytes(MESSAGE.encodeEncrypted(ALLOC, cipher));
        byte[] b = bytes(MESSAGE.encodeEncrypted(ALLOC, cipher));
        assertNotEquals(HexFormat.of().formatHex(a), HexFormat.of().formatHex(b));
        assertEquals(2, Unpooled.wrappedBuffer(a).getLong(IkeHeader.LENGTH + 4));
        assertEquals(3, Unpooled.wrappedBuffer(b).getLong(IkeHeader.LENGTH + 4));
    }

    @Test
    void messageWithoutSkFailsIntegrity() {
        IkeMessage plain = IkeMessage.decode(Unpooled.wrappedBuffer(bytes(MESSAGE.encode(ALLOC))))
                .orElseThrow();
        assertInstanceOf(IkeDecodeResult.IntegrityFailed.class, plain.decrypt(SkCipher.create(20, KEY_AND_SALT)));
    }

    @Test
    void tooShortSkFailsIntegrity() {
        IkeMessage m = IkeMessage.of(HEADER, new EncryptedPayload(PayloadType.NONE, new byte[23]));
        assertInstanceOf(IkeDecodeResult.IntegrityFailed.class, m.decrypt(SkCipher.create(20, KEY_AND_SALT)));
    }

    @Test
    void rejectsKeysOfTheWrongLengthAndOtherTransforms() {
        assertThrows(IllegalArgumentException.class, () -> SkCipher.create(20, new byte[21]));
        assertThrows(IllegalArgumentException.class, () -> SkCipher.create(28, new byte[20]));
        assertThrows(IllegalArgumentException.class, () -> SkCipher.create(12, new byte[20]));
        assertEquals(16, SkCipher.create(20, new byte[20]).icvLength());
        assertEquals(8, SkCipher.create(20, new byte[28]).ivLength());
        assertFalse(SkCipher.create(20, KEY_AND_SALT).toString().contains("0001"));
    }

    @Test
    void nestedSkIsASyntaxError() throws Exception {
        SkCipher cipher = SkCipher.create(20, KEY_AND_SALT);
        IkeMessage inner = IkeMessage.of(HEADER, new VendorIdPayload(new byte[4]));
        byte[] once = bytes(inner.encodeEncrypted(ALLOC, cipher));
        IkeMessage sealedOnce = IkeMessage.decode(Unpooled.wrappedBuffer(once)).orElseThrow();
        assertThrows(IllegalStateException.class, () -> sealedOnce.encodeEncrypted(ALLOC, cipher));
        // build SK { SK {...} } by hand: plaintext is the chain [SK], pad length 0
        byte[] content = new byte[sealedOnce.payloads().getFirst().encodedLength() + 1];
        PayloadChain.encode(
                sealedOnce.payloads(), Unpooled.wrappedBuffer(content).writerIndex(0));
        ByteBuf outer =
                SkCodec.seal(ALLOC, HEADER, cipher, PayloadType.SK.value(), content, 0, content.length - 1, 0, 0);
        IkeMessage twice =
                IkeMessage.decode(Unpooled.wrappedBuffer(bytes(outer))).orElseThrow();
        IkeDecodeResult result = twice.decrypt(SkCipher.create(20, KEY_AND_SALT));
        assertEquals("SK payload inside an encrypted payload", ((IkeDecodeResult.Malformed) result).reason());
    }

    private static byte[] seal(int transform) {
        return bytes(MESSAGE.encodeEncrypted(ALLOC, SkCipher.create(transform, KEY_AND_SALT)));
    }

    static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
