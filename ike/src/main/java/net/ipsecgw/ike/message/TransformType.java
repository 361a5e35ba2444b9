package net.ipsecgw.ike.message;

/**
 * Transform type of an SA proposal (RFC 7296 §3.3.2, IANA "Transform Type Values").
 *
 * <p>An open value type: {@link #valueOf} returns the named constant for a registered number and a
 * new unnamed value for any other, which compares equal to every value with the same number.
 * Immutable; safe to share between threads.
 */
public final class TransformType extends IanaValue {
    private static final IanaRegistry<TransformType> REGISTRY =
            new IanaRegistry<>("transform type", 255, TransformType::new);

    /** Encryption algorithm. */
    public static final TransformType ENCR = REGISTRY.define(1, "ENCR");

    /** Pseudorandom function. */
    public static final TransformType PRF = REGISTRY.define(2, "PRF");

    /** Integrity algorithm. */
    public static final TransformType INTEG = REGISTRY.define(3, "INTEG");

    /** Key exchange method (called Diffie-Hellman group, D-H, in RFC 7296). */
    public static final TransformType KE = REGISTRY.define(4, "KE");

    /** Extended sequence numbers. */
    public static final TransformType ESN = REGISTRY.define(5, "ESN");

    private TransformType(int value, String name) {
        super(value, name);
    }

    /** The constant for {@code value}, or a new unnamed value; throws if outside 0..255. */
    public static TransformType valueOf(int value) {
        return REGISTRY.valueOf(value);
    }
}
