package net.ipsecgw.esp;

/**
 * The combined-mode (AEAD) transforms this gateway offers for ESP, with the parameters the packet
 * format depends on. All three use a 4-byte salt taken from the end of the keying material, an
 * 8-byte explicit IV and a 16-byte ICV (RFC 4106 §§3, 8.1; RFC 7634 §§2, 4).
 */
public enum EspCipherSuite {
    /** AES-GCM with a 128-bit key and 16-byte ICV (RFC 4106; IKEv2 ENCR_AES_GCM_16, key length 128). */
    AES_128_GCM_16(20, 16, "AES", "AES/GCM/NoPadding"),
    /** AES-GCM with a 256-bit key and 16-byte ICV (RFC 4106; IKEv2 ENCR_AES_GCM_16, key length 256). */
    AES_256_GCM_16(20, 32, "AES", "AES/GCM/NoPadding"),
    /** ChaCha20-Poly1305 (RFC 7634; IKEv2 ENCR_CHACHA20_POLY1305). */
    CHACHA20_POLY1305(28, 32, "ChaCha20", "ChaCha20-Poly1305");

    /** Bytes of salt at the end of the keying material (RFC 4106 §8.1, RFC 7634 §4). */
    public static final int SALT_LENGTH = 4;
    /** Bytes of explicit IV carried in every packet (RFC 4106 §3.1, RFC 7634 §2). */
    public static final int IV_LENGTH = 8;
    /** Bytes of integrity check value (tag) after the ciphertext. */
    public static final int ICV_LENGTH = 16;

    private final int ikeTransformId;
    private final int keyLength;
    private final String keyAlgorithm;
    private final String jdkTransformation;

    EspCipherSuite(int ikeTransformId, int keyLength, String keyAlgorithm, String jdkTransformation) {
        this.ikeTransformId = ikeTransformId;
        this.keyLength = keyLength;
        this.keyAlgorithm = keyAlgorithm;
        this.jdkTransformation = jdkTransformation;
    }

    /** The IKEv2 transform type 1 (encryption algorithm) identifier (IANA "IKEv2 Transform Type 1"). */
    public int ikeTransformId() {
        return ikeTransformId;
    }

    /** Bytes of cipher key, without the salt. */
    public int keyLength() {
        return keyLength;
    }

    /** Bytes of keying material an SA takes from KEYMAT: the key followed by the salt. */
    public int keyMaterialLength() {
        return keyLength + SALT_LENGTH;
    }

    /** The JCA key algorithm name ("AES" or "ChaCha20"). */
    String keyAlgorithm() {
        return keyAlgorithm;
    }

    /** The JCA cipher transformation. */
    String jdkTransformation() {
        return jdkTransformation;
    }
}
