package net.ipsecgw.esp;

import java.util.Locale;

/**
 * Chooses the {@link AeadCipher} implementation for an SA. The default is OpenSSL's libcrypto where
 * it loads (no allocation per packet, fast on the direct buffers native transports use; see
 * docs/BENCHMARKS.md), else the JDK's providers. The system property {@value #PROPERTY} ({@code jdk}
 * or {@code openssl}) overrides the choice.
 */
public final class AeadCiphers {
    /** System property that selects the implementation. */
    public static final String PROPERTY = "ipsecgw.esp.aead";

    private static final Implementation DEFAULT = chooseDefault();

    private AeadCiphers() {}

    /** The AEAD implementations available to ESP. */
    public enum Implementation {
        /** The JDK's own javax.crypto providers (intrinsics on heap arrays). */
        JDK,
        /** The system's OpenSSL 3 libcrypto, bound through FFM. */
        OPENSSL;

        /** True when this implementation can be used in this process. */
        public boolean isAvailable() {
            return this == JDK || OpenSslAeadCipher.isAvailable();
        }
    }

    /** The implementation new SAs use. */
    public static Implementation defaultImplementation() {
        return DEFAULT;
    }

    /** The default implementation of {@code suite} keyed with {@code keys}. */
    public static AeadCipher create(EspCipherSuite suite, KeyMaterial keys) {
        return create(DEFAULT, suite, keys);
    }

    /** {@code implementation}'s cipher for {@code suite} keyed with {@code keys}. */
    public static AeadCipher create(Implementation implementation, EspCipherSuite suite, KeyMaterial keys) {
        return switch (implementation) {
            case JDK -> new JdkAeadCipher(suite, keys);
            case OPENSSL -> new OpenSslAeadCipher(suite, keys);
        };
    }

    private static Implementation chooseDefault() {
        String chosen = System.getProperty(PROPERTY, "").trim().toUpperCase(Locale.ROOT);
        if (!chosen.isEmpty()) {
            Implementation implementation = Implementation.valueOf(chosen);
            if (!implementation.isAvailable()) {
                throw new IllegalStateException(
                        PROPERTY + "=openssl, but libcrypto.so.3 cannot be loaded",
                        OpenSslAeadCipher.unavailabilityCause());
            }
            return implementation;
        }
        return OpenSslAeadCipher.isAvailable() ? Implementation.OPENSSL : Implementation.JDK;
    }
}
