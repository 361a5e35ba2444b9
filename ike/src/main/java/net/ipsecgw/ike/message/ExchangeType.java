package net.ipsecgw.ike.message;

/**
 * IKEv2 exchange type (RFC 7296 §3.1, IANA "IKEv2 Exchange Types").
 *
 * <p>An open value type: {@link #valueOf} returns the named constant for a registered number and a
 * new unnamed value for any other, which compares equal to every value with the same number.
 * Immutable; safe to share between threads.
 */
public final class ExchangeType extends IanaValue {
    private static final IanaRegistry<ExchangeType> REGISTRY =
            new IanaRegistry<>("exchange type", 255, ExchangeType::new);

    /** Creates the IKE SA: SA, KE, Ni/Nr (RFC 7296 §1.2). */
    public static final ExchangeType IKE_SA_INIT = REGISTRY.define(34, "IKE_SA_INIT");

    /** Authenticates the peers and creates the first Child SA (RFC 7296 §1.2). */
    public static final ExchangeType IKE_AUTH = REGISTRY.define(35, "IKE_AUTH");

    /** Creates or rekeys a Child SA, or rekeys the IKE SA (RFC 7296 §1.3). */
    public static final ExchangeType CREATE_CHILD_SA = REGISTRY.define(36, "CREATE_CHILD_SA");

    /** Delete, notify and configuration messages; liveness checks (RFC 7296 §1.4). */
    public static final ExchangeType INFORMATIONAL = REGISTRY.define(37, "INFORMATIONAL");

    private ExchangeType(int value, String name) {
        super(value, name);
    }

    /** The constant for {@code value}, or a new unnamed value; throws if outside 0..255. */
    public static ExchangeType valueOf(int value) {
        return REGISTRY.valueOf(value);
    }
}
