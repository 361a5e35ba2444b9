package net.ipsecgw.ike.message;

/**
 * Security protocol identifier of proposals, notifies and deletes (RFC 7296 §3.3.1, IANA "IKEv2 Security Protocol Identifiers").
 *
 * <p>An open value type: {@link #valueOf} returns the named constant for a registered number and a
 * new unnamed value for any other, which compares equal to every value with the same number.
 * Immutable; safe to share between threads.
 */
public final class ProtocolId extends IanaValue {
    private static final IanaRegistry<ProtocolId> REGISTRY = new IanaRegistry<>("protocol ID", 255, ProtocolId::new);

    /** No protocol: the value of a notify that concerns no particular SA. */
    public static final ProtocolId NONE = REGISTRY.define(0, "NONE");

    /** The IKE SA itself. */
    public static final ProtocolId IKE = REGISTRY.define(1, "IKE");

    /** Authentication Header. */
    public static final ProtocolId AH = REGISTRY.define(2, "AH");

    /** Encapsulating Security Payload. */
    public static final ProtocolId ESP = REGISTRY.define(3, "ESP");

    private ProtocolId(int value, String name) {
        super(value, name);
    }

    /** The constant for {@code value}, or a new unnamed value; throws if outside 0..255. */
    public static ProtocolId valueOf(int value) {
        return REGISTRY.valueOf(value);
    }
}
