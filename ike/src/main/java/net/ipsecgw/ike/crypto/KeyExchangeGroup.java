package net.ipsecgw.ike.crypto;

import java.util.Arrays;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The key exchange methods (IKEv2 Transform Type 4) this gateway implements: MODP groups 14 and 15 (RFC
 * 3526 §3, §4), the random ECP groups 19 and 20 (RFC 5903 §3), and Curve25519 (RFC 8031).
 *
 * <p>{@link #generate} takes the random source as an argument and draws the private value from it itself,
 * rather than letting a JCA key pair generator consume it in its own way: a MODP exponent and an X25519
 * scalar are the next 64 and 32 octets of the source, an ECP scalar is reduced from the next {@code
 * field + 8} octets (FIPS 186-5 A.2.1). The same seeded source therefore always yields the same key pair,
 * on any JDK, which is what deterministic exchange tests need.
 *
 * <p>Immutable and thread-safe; the {@link KeyExchange} it makes is not.
 */
public enum KeyExchangeGroup {
    /** 2048-bit MODP group (RFC 3526 §3), transform ID 14. */
    MODP_2048(14, 256),
    /** 3072-bit MODP group (RFC 3526 §4), transform ID 15. */
    MODP_3072(15, 384),
    /** 256-bit random ECP group, NIST P-256 (RFC 5903 §3.1), transform ID 19. */
    ECP_256(19, 64),
    /** 384-bit random ECP group, NIST P-384 (RFC 5903 §3.2), transform ID 20. */
    ECP_384(20, 96),
    /** Curve25519 (RFC 8031 §2), transform ID 31. */
    CURVE25519(31, 32);

    private final int ikeId;
    private final int publicValueLength;

    KeyExchangeGroup(int ikeId, int publicValueLength) {
        this.ikeId = ikeId;
        this.publicValueLength = publicValueLength;
    }

    /** The IANA "Transform Type 4 - Key Exchange Method Transform IDs" number. */
    public int ikeId() {
        return ikeId;
    }

    /** The group for an IANA transform ID, empty for one this gateway does not implement. */
    public static Optional<KeyExchangeGroup> fromIkeId(int ikeId) {
        return Arrays.stream(values()).filter(g -> g.ikeId == ikeId).findFirst();
    }

    /** Octets of the Key Exchange Data in a KE payload of this group. */
    public int publicValueLength() {
        return publicValueLength;
    }

    /** A fresh key pair whose private value is drawn from {@code random} (see the class comment). */
    public KeyExchange generate(RandomGenerator random) {
        return switch (this) {
            case MODP_2048, MODP_3072 -> ModpKeyExchange.generate(this, random);
            case ECP_256, ECP_384 -> EcpKeyExchange.generate(this, random);
            case CURVE25519 -> X25519KeyExchange.generate(random);
        };
    }

    /**
     * A key exchange with a given private value, for known-answer tests: the MODP exponent or ECP scalar as
     * a big-endian integer, the X25519 scalar as its 32 octets (RFC 7748 §5).
     */
    KeyExchange withPrivateValue(byte[] privateValue) {
        return switch (this) {
            case MODP_2048, MODP_3072 -> new ModpKeyExchange(this, privateValue);
            case ECP_256, ECP_384 -> new EcpKeyExchange(this, privateValue);
            case CURVE25519 -> new X25519KeyExchange(privateValue);
        };
    }
}
