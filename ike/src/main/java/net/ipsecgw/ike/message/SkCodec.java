package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * Seals and opens the SK payload (RFC 7296 §3.14 with the AEAD rules of RFC 5282 §5) and the SKF
 * payload (RFC 7383 §2.5). The associated data is the message from the first octet of the IKE header
 * to the last octet of the SK payload's generic header, or of the SKF payload's Total Fragments
 * field. Messages are sealed with no padding: just a zero Pad Length, which AEAD ciphers allow.
 */
final class SkCodec {
    private static final int PAD_LENGTH_FIELD = 1;

    private SkCodec() {}

    /** Bytes an SK message (or an SKF fragment) adds to its content: header, payload header, IV, pad length, ICV. */
    static int overhead(SkCipher cipher, boolean fragment) {
        return IkeHeader.LENGTH
                + encryptedHeaderLength(fragment)
                + cipher.ivLength()
                + PAD_LENGTH_FIELD
                + cipher.icvLength();
    }

    /** The payload chain to encrypt, as bytes. */
    static byte[] content(List<IkePayload> payloads) {
        for (IkePayload p : payloads) {
            if (PayloadChain.isEncrypted(p.type())) {
                throw new IllegalStateException("cannot encrypt a message that holds " + p);
            }
        }
        byte[] content = new byte[PayloadChain.length(payloads)];
        PayloadChain.encode(payloads, Unpooled.wrappedBuffer(content).writerIndex(0));
        return content;
    }

    /**
     * One message: the header, then an SK payload ({@code totalFragments == 0}) or an SKF payload
     * holding {@code length} bytes of {@code content} at {@code offset}.
     */
    static ByteBuf seal(
            ByteBufAllocator alloc,
            IkeHeader header,
            SkCipher cipher,
            int firstPayload,
            byte[] content,
            int offset,
            int length,
            int fragmentNumber,
            int totalFragments) {
        boolean fragment = totalFragments > 0;
        int messageLength = overhead(cipher, fragment) + length;
        int payloadLength = messageLength - IkeHeader.LENGTH;
        byte[] message = new byte[messageLength];
        ByteBuf w = Unpooled.wrappedBuffer(message).writerIndex(0);
        PayloadType type = fragment ? PayloadType.SKF : PayloadType.SK;
        header.withNextPayload(type.value()).withLength(messageLength).encode(w);
        w.writeByte(firstPayload).writeByte(0).writeShort(payloadLength);
        if (fragment) {
            w.writeShort(fragmentNumber).writeShort(totalFragments);
        }
        int aadLength = w.writerIndex();
        long iv = cipher.nextIv();
        w.writeLong(iv).writeBytes(content, offset, length).writeByte(0);
        cipher.seal(iv, message, aadLength, message, aadLength + cipher.ivLength(), length + PAD_LENGTH_FIELD);
        return alloc.buffer(messageLength).writeBytes(message);
    }

    /**
     * Verifies and decrypts the SK or SKF payload that ends {@code payloads} and returns its content
     * without padding.
     *
     * @throws DecodeFailure with {@link IkeDecodeResult.IntegrityFailed} when the ICV does not verify, or
     *     {@link IkeDecodeResult.Malformed} when the authentic plaintext's pad length is impossible
     */
    static byte[] open(IkeHeader header, List<IkePayload> payloads, SkCipher cipher) throws DecodeFailure {
        IkePayload encrypted = payloads.getLast();
        boolean fragment = encrypted instanceof EncryptedFragmentPayload;
        byte[] data = fragment ? ((EncryptedFragmentPayload) encrypted).data() : ((EncryptedPayload) encrypted).data();
        byte[] aad = authenticatedPrefix(header, payloads);
        int aadLength = aad.length - encrypted.bodyLength() + (fragment ? EncryptedFragmentPayload.FIXED : 0);
        byte[] plaintext = cipher.open(aad, aadLength, data);
        if (plaintext == null) {
            throw new DecodeFailure(new IkeDecodeResult.IntegrityFailed(encrypted.type() + " ICV does not verify"));
        }
        return withoutPadding(plaintext);
    }

    /** Header and payloads re-encoded as they arrived; the caller cuts off the encrypted body. */
    private static byte[] authenticatedPrefix(IkeHeader header, List<IkePayload> payloads) {
        byte[] bytes = new byte[IkeHeader.LENGTH + PayloadChain.length(payloads)];
        ByteBuf w = Unpooled.wrappedBuffer(bytes).writerIndex(0);
        header.encode(w);
        PayloadChain.encode(payloads, w);
        return bytes;
    }

    private static byte[] withoutPadding(byte[] plaintext) throws DecodeFailure {
        if (plaintext.length == 0) {
            throw DecodeFailure.syntax("encrypted payload has no pad length");
        }
        int padLength = plaintext[plaintext.length - 1] & 0xff;
        int contentLength = plaintext.length - PAD_LENGTH_FIELD - padLength;
        if (contentLength < 0) {
            throw DecodeFailure.syntax("pad length " + padLength + " exceeds the plaintext");
        }
        return java.util.Arrays.copyOf(plaintext, contentLength);
    }

    private static int encryptedHeaderLength(boolean fragment) {
        return IkePayload.GENERIC_HEADER_LENGTH + (fragment ? EncryptedFragmentPayload.FIXED : 0);
    }
}
