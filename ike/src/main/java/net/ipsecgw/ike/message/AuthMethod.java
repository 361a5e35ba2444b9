package net.ipsecgw.ike.message;

/**
 * Authentication method of an AUTH payload (RFC 7296 §3.8, IANA "IKEv2 Authentication Method").
 *
 * <p>An open value type: {@link #valueOf} returns the named constant for a registered number and a
 * new unnamed value for any other, which compares equal to every value with the same number.
 * Immutable; safe to share between threads.
 */
public final class AuthMethod extends IanaValue {
    private static final IanaRegistry<AuthMethod> REGISTRY = new IanaRegistry<>("auth method", 255, AuthMethod::new);

    /** RSA digital signature with SHA-1 and PKCS#1 v1.5 padding. */
    public static final AuthMethod RSA_SIG = REGISTRY.define(1, "RSA_SIG");

    /** Shared key message integrity code (RFC 7296 §2.15). */
    public static final AuthMethod SHARED_KEY_MIC = REGISTRY.define(2, "SHARED_KEY_MIC");

    /** DSS digital signature with SHA-1. */
    public static final AuthMethod DSS = REGISTRY.define(3, "DSS");

    /** ECDSA with SHA-256 on the P-256 curve (RFC 4754). */
    public static final AuthMethod ECDSA_256 = REGISTRY.define(9, "ECDSA_256");

    /** ECDSA with SHA-384 on the P-384 curve (RFC 4754). */
    public static final AuthMethod ECDSA_384 = REGISTRY.define(10, "ECDSA_384");

    /** ECDSA with SHA-512 on the P-521 curve (RFC 4754). */
    public static final AuthMethod ECDSA_521 = REGISTRY.define(11, "ECDSA_521");

    /** Digital signature with an ASN.1-described algorithm (RFC 7427). */
    public static final AuthMethod DIGITAL_SIGNATURE = REGISTRY.define(14, "DIGITAL_SIGNATURE");

    private AuthMethod(int value, String name) {
        super(value, name);
    }

    /** The constant for {@code value}, or a new unnamed value; throws if outside 0..255. */
    public static AuthMethod valueOf(int value) {
        return REGISTRY.valueOf(value);
    }
}
