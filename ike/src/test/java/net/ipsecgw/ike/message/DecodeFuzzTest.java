package net.ipsecgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated datagrams: decoding, decrypting and reassembling never throw, whatever the bytes,
 * and leave no buffer allocated. Seeds are fixed, so a failure reproduces. Every tenth datagram is a
 * direct buffer from a leak-tracked allocator (paranoid leak detection records every access, which
 * is too slow for all of them); the others are wrapped heap arrays.
 */
class DecodeFuzzTest {
    private static final int RANDOM_DATAGRAMS = 100_000;
    private static final int MUTATIONS_PER_VECTOR = 600;

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
    private int count;
    private final SkCipher fuzzCipher = SkCipher.create(SkCipher.ENCR_AES_GCM_16, new byte[20]);

    @Test
    void randomDatagramsNeverThrow() {
        Random random = new Random(1);
        for (int i = 0; i < RANDOM_DATAGRAMS; i++) {
            byte[] bytes = new byte[random.nextInt(400)];
            random.nextBytes(bytes);
            if (bytes.length >= IkeHeader.LENGTH && random.nextBoolean()) {
                bytes[17] = 0x20; // get past the version and length checks into the payload chain
                Unpooled.wrappedBuffer(bytes).setInt(24, bytes.length);
                bytes[16] = (byte) (33 + random.nextInt(21));
            }
            exercise(bytes, fuzzCipher);
        }
        assertEquals(0, alloc.metric().usedDirectMemory());
    }

    @Test
    void mutatedCapturesNeverThrow() {
        Random random = new Random(2);
        for (MessageVectors.Vector v : MessageVectors.all().toList()) {
            SkCipher cipher = v.encrypted() ? v.cipher() : fuzzCipher;
            for (int i = 0; i < MUTATIONS_PER_VECTOR; i++) {
                exercise(mutate(v.bytes(), random), cipher);
            }
        }
        assertEquals(0, alloc.metric().usedDirectMemory());
    }

    /** Mutated plaintext, sealed with a key the test knows, so that the inner decoder sees it. */
    @Test
    void mutatedAuthenticContentNeverThrows() throws DecodeFailure {
        Random random = new Random(3);
        SkCipher sender = SkCipher.create(SkCipher.ENCR_AES_GCM_16, new byte[20]);
        for (MessageVectors.Vector v :
                MessageVectors.all().filter(MessageVectors.Vector::encrypted).toList()) {
            IkeMessage sealed = v.decoded();
            byte[] content = SkCodec.open(sealed.header(), sealed.payloads(), v.cipher());
            for (int i = 0; i < MUTATIONS_PER_VECTOR; i++) {
                byte[] mutated = mutate(content, random);
                ByteBuf datagram = SkCodec.seal(
                        alloc, sealed.header(), sender, 33 + random.nextInt(21), mutated, 0, mutated.length, 0, 0);
                try {
                    IkeDecodeResult result =
                            IkeMessage.decode(datagram).orElseThrow().decrypt(fuzzCipher);
                    assertNotNull(result);
                } finally {
                    datagram.release();
                }
            }
        }
        assertEquals(0, alloc.metric().usedDirectMemory());
    }

    private void exercise(byte[] bytes, SkCipher cipher) {
        ByteBuf datagram =
                ++count % 10 == 0 ? alloc.directBuffer(bytes.length).writeBytes(bytes) : Unpooled.wrappedBuffer(bytes);
        try {
            IkeDecodeResult result = IkeMessage.decode(datagram);
            assertNotNull(result);
            assertEquals(0, datagram.readerIndex());
            if (result instanceof IkeDecodeResult.Ok(IkeMessage message)) {
                reencodeAndUse(message, cipher);
            }
        } finally {
            datagram.release();
        }
    }

    private void reencodeAndUse(IkeMessage message, SkCipher cipher) {
        ByteBuf again = message.encode(alloc);
        try {
            assertNotNull(IkeMessage.decode(again));
        } finally {
            again.release();
        }
        if (message.isFragment()) {
            new FragmentReassembler().offer(message, cipher);
        } else {
            assertNotNull(message.decrypt(cipher));
        }
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && bytes.length > 0; e++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(5)) {
                case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[at] = (byte) random.nextInt(256);
                case 2 -> bytes = Arrays.copyOf(bytes, at);
                case 3 -> bytes = insert(bytes, at, (byte) random.nextInt(256));
                default -> bytes[at] = (byte) (random.nextBoolean() ? 0 : 0xff);
            }
        }
        if (bytes.length >= IkeHeader.LENGTH && random.nextInt(4) > 0) {
            Unpooled.wrappedBuffer(bytes).setInt(24, bytes.length);
        }
        return bytes;
    }

    private static byte[] insert(byte[] bytes, int at, byte value) {
        byte[] longer = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, longer, 0, at);
        longer[at] = value;
        System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
        return longer;
    }
}
