package net.ipsecgw.ike.message;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AEAD of the SK payload for one direction of an IKE SA: AES-GCM with a 16-byte ICV (RFC 5282) or
 * ChaCha20-Poly1305 (RFC 7634), on the JDK's own providers.
 *
 * <p>The key material is SK_ei or SK_er as the PRF+ produced it: the cipher key followed by a 4-byte
 * salt (RFC 5282 §7.1, RFC 7634 §2). The 12-byte nonce is the salt followed by the 8-byte IV carried
 * in the payload. IVs come from a 64-bit counter per instance, starting at 0, so they never repeat
 * under one key and tests are deterministic; a counter that would wrap refuses to encrypt.
 *
 * <p>Not thread-safe: owned by the IKE SA's control thread. {@link #toString()} does not show the key.
 */
public final class SkCipher {
    /** ENCR_AES_GCM_16: AES-GCM with a 16-octet ICV (RFC 5282, IANA transform type 1 ID 20). */
    public static final int ENCR_AES_GCM_16 = 20;
    /** ENCR_CHACHA20_POLY1305 (RFC 7634, IANA transform type 1 ID 28). */
    public static final int ENCR_CHACHA20_POLY1305 = 28;

    private static final int IV_LENGTH = 8;
    private static final int ICV_LENGTH = 16;
    private static final int SALT_LENGTH = 4;

    private final int transformId;
    private final SecretKeySpec key;
    private final byte[] salt;
    private final Cipher sealer;
    private final Cipher opener;
    private final byte[] nonce = new byte[SALT_LENGTH + IV_LENGTH];
    private long ivCounter;
    private boolean ivExhausted;

    private SkCipher(int transformId, String algorithm, String transformation, byte[] keyAndSalt) {
        int keyLength = keyAndSalt.length - SALT_LENGTH;
        this.transformId = transformId;
        this.key = new SecretKeySpec(keyAndSalt, 0, keyLength, algorithm);
        this.salt = Arrays.copyOfRange(keyAndSalt, keyLength, keyAndSalt.length);
        System.arraycopy(salt, 0, nonce, 0, SALT_LENGTH);
        try {
            this.sealer = Cipher.getInstance(transformation);
            this.opener = Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks " + transformation, e);
        }
    }

    /**
     * The cipher for an ENCR transform and its key material.
     *
     * @param encrTransformId {@link #ENCR_AES_GCM_16} or {@link #ENCR_CHACHA20_POLY1305}
     * @param keyAndSalt SK_e: a 16, 24 or 32-byte AES key, or a 32-byte ChaCha20 key, then a 4-byte salt
     * @throws IllegalArgumentException for another transform or a key of the wrong length
     */
    public static SkCipher create(int encrTransformId, byte[] keyAndSalt) {
        int keyLength = keyAndSalt.length - SALT_LENGTH;
        return switch (encrTransformId) {
            case ENCR_AES_GCM_16 -> {
                requireKeyLength(keyLength == 16 || keyLength == 24 || keyLength == 32, encrTransformId, keyLength);
                yield new SkCipher(encrTransformId, "AES", "AES/GCM/NoPadding", keyAndSalt);
            }
            case ENCR_CHACHA20_POLY1305 -> {
                requireKeyLength(keyLength == 32, encrTransformId, keyLength);
                yield new SkCipher(encrTransformId, "ChaCha20", "ChaCha20-Poly1305", keyAndSalt);
            }
            default -> throw new IllegalArgumentException("unsupported SK encryption transform " + encrTransformId);
        };
    }

    private static void requireKeyLength(boolean ok, int transform, int keyLength) {
        if (!ok) {
            throw new IllegalArgumentException("ENCR " + transform + " cannot use a key of " + keyLength + " bytes");
        }
    }

    /** The ENCR transform ID. */
    public int transformId() {
        return transformId;
    }

    /** Bytes of the IV in the SK payload: 8. */
    public int ivLength() {
        return IV_LENGTH;
    }

    /** Bytes of the ICV in the SK payload: 16. */
    public int icvLength() {
        return ICV_LENGTH;
    }

    /** The next IV of this key; each value is returned once. */
    long nextIv() {
        if (ivExhausted) {
            throw new IllegalStateException("IV counter exhausted: rekey the IKE SA");
        }
        long iv = ivCounter++;
        ivExhausted = ivCounter == 0;
        return iv;
    }

    /**
     * Encrypts {@code length} bytes of {@code buf} at {@code offset} in place and writes the ICV after
     * them; {@code buf} must have {@link #icvLength()} bytes of room there.
     */
    void seal(long iv, byte[] aad, int aadLength, byte[] buf, int offset, int length) {
        try {
            init(sealer, Cipher.ENCRYPT_MODE, iv);
            sealer.updateAAD(aad, 0, aadLength);
            sealer.doFinal(buf, offset, length, buf, offset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SK encryption failed", e);
        }
    }

    /**
     * Verifies and decrypts IV, ciphertext and ICV as they follow each other in an SK payload.
     *
     * @return the plaintext, or null if the ICV does not verify or the data is too short to hold one
     */
    byte[] open(byte[] aad, int aadLength, byte[] ivCiphertextIcv) {
        if (ivCiphertextIcv.length < IV_LENGTH + ICV_LENGTH) {
            return null;
        }
        try {
            init(opener, Cipher.DECRYPT_MODE, readLong(ivCiphertextIcv));
            opener.updateAAD(aad, 0, aadLength);
            return opener.doFinal(ivCiphertextIcv, IV_LENGTH, ivCiphertextIcv.length - IV_LENGTH);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SK decryption failed", e);
        }
    }

    private void init(Cipher cipher, int mode, long iv) throws GeneralSecurityException {
        for (int i = 0; i < IV_LENGTH; i++) {
            nonce[SALT_LENGTH + i] = (byte) (iv >>> (56 - 8 * i));
        }
        AlgorithmParameterSpec spec = transformId == ENCR_AES_GCM_16
                ? new GCMParameterSpec(ICV_LENGTH * 8, nonce)
                : new IvParameterSpec(nonce);
        cipher.init(mode, key, spec);
    }

    private static long readLong(byte[] bytes) {
        long value = 0;
        for (int i = 0; i < IV_LENGTH; i++) {
            value = value << 8 | (bytes[i] & 0xff);
        }
        return value;
    }

    @Override
    public String toString() {
        return "SkCipher[ENCR " + transformId + ", key redacted]";
    }
}
