package net.ipsecgw.esp;

import io.netty.buffer.ByteBuf;

/**
 * One direction's AEAD transform, keyed once for the life of an SA. Encryption and decryption happen
 * in place inside a {@link ByteBuf}; the nonce is the SA's salt followed by the 8-byte explicit IV
 * (RFC 4106 §4, RFC 7634 §2).
 *
 * <p>Not thread-safe: an instance belongs to the SA that created it and so to that SA's lane thread.
 */
public interface AeadCipher {
    /**
     * Encrypts {@code length} bytes at {@code index} in place and writes the 16-byte ICV right after
     * them; the buffer must have those 16 bytes of capacity. {@code aad} holds {@code aadLength} bytes of
     * additional authenticated data.
     */
    void seal(ByteBuf buf, int index, int length, long iv, byte[] aad, int aadLength);

    /**
     * Verifies and decrypts in place the {@code length} bytes of ciphertext at {@code index}, which are
     * followed by the 16-byte ICV. Returns false, with the plaintext undefined, when the ICV does not
     * verify.
     */
    boolean open(ByteBuf buf, int index, int length, long iv, byte[] aad, int aadLength);

    /** Writes the 12-byte nonce {@code salt || iv} (big-endian IV) into {@code nonce}. */
    static void nonce(byte[] nonce, byte[] salt, long iv) {
        System.arraycopy(salt, 0, nonce, 0, EspCipherSuite.SALT_LENGTH);
        for (int i = 0; i < EspCipherSuite.IV_LENGTH; i++) {
            nonce[EspCipherSuite.SALT_LENGTH + i] = (byte) (iv >>> (56 - 8 * i));
        }
    }
}
