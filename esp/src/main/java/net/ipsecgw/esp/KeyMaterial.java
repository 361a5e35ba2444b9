package net.ipsecgw.esp;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The keying material of one SA direction: the cipher key followed by the 4-byte salt, exactly as
 * taken from IKEv2's KEYMAT (RFC 7296 §2.17) or from manual keying. Never printed: {@link #toString()}
 * gives only the length.
 */
public final class KeyMaterial {
    private final byte[] bytes;

    private KeyMaterial(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Keying material from raw bytes (copied). */
    public static KeyMaterial of(byte[] keyAndSalt) {
        return new KeyMaterial(keyAndSalt.clone());
    }

    /** Keying material from a hexadecimal string (colons and white space are ignored). */
    public static KeyMaterial ofHex(String hex) {
        return new KeyMaterial(HexFormat.of().parseHex(hex.replaceAll("[\\s:]", "")));
    }

    /** Keying material from hexadecimal text, as configuration files write it (same as {@link #ofHex}). */
    public static KeyMaterial valueOf(String hex) {
        try {
            return ofHex(hex);
        } catch (IllegalArgumentException e) {
            // The message must not repeat the text: it is a secret.
            throw new IllegalArgumentException("keying material is not an even number of hexadecimal digits");
        }
    }

    /** Keying material from a separate key and salt. */
    public static KeyMaterial of(byte[] key, byte[] salt) {
        byte[] all = Arrays.copyOf(key, key.length + salt.length);
        System.arraycopy(salt, 0, all, key.length, salt.length);
        return new KeyMaterial(all);
    }

    /** Number of bytes (key plus salt). */
    public int length() {
        return bytes.length;
    }

    /** The cipher key: all but the last {@link EspCipherSuite#SALT_LENGTH} bytes (a copy). */
    byte[] key() {
        return Arrays.copyOf(bytes, bytes.length - EspCipherSuite.SALT_LENGTH);
    }

    /** The salt: the last {@link EspCipherSuite#SALT_LENGTH} bytes (a copy). */
    byte[] salt() {
        return Arrays.copyOfRange(bytes, bytes.length - EspCipherSuite.SALT_LENGTH, bytes.length);
    }

    /** Checks that this material fits {@code suite}, naming both lengths when it does not. */
    void checkFor(EspCipherSuite suite) {
        if (bytes.length != suite.keyMaterialLength()) {
            throw new IllegalArgumentException(suite + " needs " + suite.keyMaterialLength()
                    + " bytes of keying material (key and 4-byte salt), got " + bytes.length);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyMaterial k && java.security.MessageDigest.isEqual(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "KeyMaterial[" + bytes.length + " bytes, redacted]";
    }
}
