package net.ipsecgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.ipsecgw.ike.message.MessageVectors.Vector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every datagram strongSwan 5.9.8 sent in the captured exchanges (src/test/resources/message, see its
 * README) decodes, encodes back to the same bytes, and rejects every truncation; every encrypted one
 * opens with the key charon logged, and its plaintext payloads encode back to the same plaintext.
 */
class CapturedMessagesTest {
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    static Stream<Vector> vectors() {
        return MessageVectors.all();
    }

    static Stream<Vector> sealedMessages() {
        return MessageVectors.all().filter(Vector::encrypted);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesAndEncodesBackIdentically(Vector v) {
        IkeMessage message = v.decoded();
        ByteBuf encoded = message.encode(ALLOC);
        try {
            assertArrayEquals(v.bytes(), ByteBufUtil.getBytes(encoded));
        } finally {
            encoded.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void rejectsEveryTruncation(Vector v) {
        byte[] bytes = v.bytes();
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertMalformed(cut, "cut to " + length);
            if (length >= IkeHeader.LENGTH) {
                Unpooled.wrappedBuffer(cut).setInt(24, length); // a header that agrees with the cut
                assertMalformed(cut, "cut to " + length + " with matching header length");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void rejectsTrailingBytes(Vector v) {
        byte[] longer = Arrays.copyOf(v.bytes(), v.bytes().length + 1);
        assertMalformed(longer, "one byte more than the header says");
        Unpooled.wrappedBuffer(longer).setInt(24, longer.length);
        assertMalformed(longer, "one byte after the last payload");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sealedMessages")
    void opensWithTheLoggedKeyAndEncodesThePlaintextBack(Vector v) throws DecodeFailure {
        IkeMessage sealed = v.decoded();
        byte[] plaintext = SkCodec.open(sealed.header(), sealed.payloads(), v.cipher());
        IkePayload encrypted = sealed.payloads().getLast();
        PayloadType first = encrypted instanceof EncryptedPayload sk
                ? sk.firstPayload()
                : ((EncryptedFragmentPayload) encrypted).firstPayload();
        if (sealed.isFragment() && ((EncryptedFragmentPayload) encrypted).totalFragments() > 1) {
            return; // a fragment's plaintext is a piece of a payload chain, checked in FragmentTest
        }
        List<IkePayload> inner = PayloadChain.decode(first.value(), Unpooled.wrappedBuffer(plaintext), false);
        assertArrayEquals(plaintext, SkCodec.content(inner));
        assertEquals(inner, sealed.decrypt(v.cipher()).orElseThrow().payloads());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sealedMessages")
    void plaintextRejectsEveryTruncation(Vector v) throws DecodeFailure {
        IkeMessage sealed = v.decoded();
        if (sealed.isFragment()) {
            return;
        }
        PayloadType first = ((EncryptedPayload) sealed.payloads().getLast()).firstPayload();
        byte[] plaintext = SkCodec.open(sealed.header(), sealed.payloads(), v.cipher());
        for (int length = 0; length < plaintext.length; length++) {
            ByteBuf cut = Unpooled.wrappedBuffer(plaintext, 0, length);
            int cutLength = length;
            DecodeFailure failure = org.junit.jupiter.api.Assertions.assertThrows(
                    DecodeFailure.class,
                    () -> PayloadChain.decode(first.value(), cut, false),
                    () -> "cut to " + cutLength);
            assertInstanceOf(IkeDecodeResult.Malformed.class, failure.result());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sealedMessages")
    void failsIntegrityWithTheOtherDirectionsKey(Vector v) {
        IkeMessage sealed = v.decoded();
        if (sealed.isFragment()) {
            return;
        }
        byte[] key = java.util.HexFormat.of().parseHex(v.fields().get("sk_e"));
        key[0] ^= 1;
        SkCipher wrong = SkCipher.create(Integer.parseInt(v.fields().get("encr")), key);
        assertInstanceOf(IkeDecodeResult.IntegrityFailed.class, sealed.decrypt(wrong));
    }

    private static void assertMalformed(byte[] bytes, String what) {
        IkeDecodeResult result = IkeMessage.decode(Unpooled.wrappedBuffer(bytes));
        assertFalse(result.isOk(), what);
        assertTrue(
                result instanceof IkeDecodeResult.Malformed m && m.error().equals(NotifyType.INVALID_SYNTAX),
                () -> what + ": " + result);
    }
}
