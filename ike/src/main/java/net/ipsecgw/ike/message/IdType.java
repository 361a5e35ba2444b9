package net.ipsecgw.ike.message;

/**
 * Identification type of an ID payload (RFC 7296 §3.5, IANA "IKEv2 Identification Payload ID Types").
 *
 * <p>An open value type: {@link #valueOf} returns the named constant for a registered number and a
 * new unnamed value for any other, which compares equal to every value with the same number.
 * Immutable; safe to share between threads.
 */
public final class IdType extends IanaValue {
    private static final IanaRegistry<IdType> REGISTRY = new IanaRegistry<>("ID type", 255, IdType::new);

    /** A single four-octet IPv4 address. */
    public static final IdType IPV4_ADDR = REGISTRY.define(1, "IPV4_ADDR");

    /** A fully qualified domain name, without terminator. */
    public static final IdType FQDN = REGISTRY.define(2, "FQDN");

    /** An e-mail address (RFC 822), without terminator. */
    public static final IdType RFC822_ADDR = REGISTRY.define(3, "RFC822_ADDR");

    /** A single sixteen-octet IPv6 address. */
    public static final IdType IPV6_ADDR = REGISTRY.define(5, "IPV6_ADDR");

    /** The DER encoding of an X.500 distinguished name. */
    public static final IdType DER_ASN1_DN = REGISTRY.define(9, "DER_ASN1_DN");

    /** The DER encoding of an X.509 GeneralName. */
    public static final IdType DER_ASN1_GN = REGISTRY.define(10, "DER_ASN1_GN");

    /** An opaque octet stream for vendor-specific information. */
    public static final IdType KEY_ID = REGISTRY.define(11, "KEY_ID");

    private IdType(int value, String name) {
        super(value, name);
    }

    /** The constant for {@code value}, or a new unnamed value; throws if outside 0..255. */
    public static IdType valueOf(int value) {
        return REGISTRY.valueOf(value);
    }
}
