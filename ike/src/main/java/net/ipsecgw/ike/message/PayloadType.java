package net.ipsecgw.ike.message;

/**
 * IKEv2 payload type (RFC 7296 §3.2, IANA "IKEv2 Payload Types").
 *
 * <p>An open value type: {@link #valueOf} returns the named constant for a registered number and a
 * new unnamed value for any other, which compares equal to every value with the same number.
 * Immutable; safe to share between threads.
 */
public final class PayloadType extends IanaValue {
    private static final IanaRegistry<PayloadType> REGISTRY = new IanaRegistry<>("payload type", 255, PayloadType::new);

    /** No next payload: ends a chain. */
    public static final PayloadType NONE = REGISTRY.define(0, "NONE");

    /** Security Association (RFC 7296 §3.3). */
    public static final PayloadType SA = REGISTRY.define(33, "SA");

    /** Key Exchange (RFC 7296 §3.4). */
    public static final PayloadType KE = REGISTRY.define(34, "KE");

    /** Identification - Initiator (RFC 7296 §3.5). */
    public static final PayloadType IDI = REGISTRY.define(35, "IDI");

    /** Identification - Responder (RFC 7296 §3.5). */
    public static final PayloadType IDR = REGISTRY.define(36, "IDR");

    /** Certificate (RFC 7296 §3.6). */
    public static final PayloadType CERT = REGISTRY.define(37, "CERT");

    /** Certificate Request (RFC 7296 §3.7). */
    public static final PayloadType CERTREQ = REGISTRY.define(38, "CERTREQ");

    /** Authentication (RFC 7296 §3.8). */
    public static final PayloadType AUTH = REGISTRY.define(39, "AUTH");

    /** Nonce (RFC 7296 §3.9). */
    public static final PayloadType NONCE = REGISTRY.define(40, "NONCE");

    /** Notify (RFC 7296 §3.10). */
    public static final PayloadType NOTIFY = REGISTRY.define(41, "NOTIFY");

    /** Delete (RFC 7296 §3.11). */
    public static final PayloadType DELETE = REGISTRY.define(42, "DELETE");

    /** Vendor ID (RFC 7296 §3.12). */
    public static final PayloadType VENDOR_ID = REGISTRY.define(43, "VENDOR_ID");

    /** Traffic Selector - Initiator (RFC 7296 §3.13). */
    public static final PayloadType TSI = REGISTRY.define(44, "TSI");

    /** Traffic Selector - Responder (RFC 7296 §3.13). */
    public static final PayloadType TSR = REGISTRY.define(45, "TSR");

    /** Encrypted and Authenticated (RFC 7296 §3.14). */
    public static final PayloadType SK = REGISTRY.define(46, "SK");

    /** Configuration (RFC 7296 §3.15). */
    public static final PayloadType CP = REGISTRY.define(47, "CP");

    /** Extensible Authentication (RFC 7296 §3.16). */
    public static final PayloadType EAP = REGISTRY.define(48, "EAP");

    /** Encrypted and Authenticated Fragment (RFC 7383 §2.5). */
    public static final PayloadType SKF = REGISTRY.define(53, "SKF");

    private PayloadType(int value, String name) {
        super(value, name);
    }

    /** The constant for {@code value}, or a new unnamed value; throws if outside 0..255. */
    public static PayloadType valueOf(int value) {
        return REGISTRY.valueOf(value);
    }
}
