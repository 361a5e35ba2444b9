package net.ipsecgw.esp;

/** Chooses the {@link AeadCipher} implementation for an SA. */
public final class AeadCiphers {
    private AeadCiphers() {}

    /** The default implementation of {@code suite} keyed with {@code keys}. */
    public static AeadCipher create(EspCipherSuite suite, KeyMaterial keys) {
        return new JdkAeadCipher(suite, keys);
    }
}
