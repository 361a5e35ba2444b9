package net.ipsecgw.ike.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A secret from the configuration (a pre-shared key, a private key's password). It never prints: its
 * {@link #toString()} is redacted, so records that hold one can print every component.
 *
 * <p>Written as text, or as hex after {@code 0x} (the way swanctl.conf writes binary secrets).
 */
public final class Secret {
    private final byte[] bytes;

    private Secret(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Parses a configured secret: {@code 0x} followed by hex digits, or any other text as UTF-8.
     *
     * @throws ConfigValueException when it is empty or the hex is malformed (the value is not quoted)
     */
    public static Secret valueOf(String text) {
        if (text == null || text.isEmpty()) {
            throw new ConfigValueException("secret", "must not be empty");
        }
        if (text.startsWith("0x") || text.startsWith("0X")) {
            try {
                byte[] bytes = HexFormat.of().parseHex(text.substring(2));
                if (bytes.length == 0) {
                    throw new ConfigValueException("secret", "has no hex digits after 0x");
                }
                return new Secret(bytes);
            } catch (IllegalArgumentException e) {
                throw new ConfigValueException("secret", "starts with 0x but is not an even number of hex digits");
            }
        }
        return new Secret(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A secret of these bytes (copied). */
    public static Secret of(byte[] bytes) {
        return new Secret(bytes.clone());
    }

    /** A copy of the secret's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** How many bytes the secret has. */
    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s && MessageDigest.isEqual(bytes, s.bytes);
    }

    @Override
    public int hashCode() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "<secret>";
    }
}
