package net.ipsecgw.ike.crypto;

/**
 * The peer's key exchange data is not an acceptable public value of the negotiated group: wrong length,
 * out of range or trivial for MODP (RFC 7296 §3.4, RFC 6989 §2.1), not a point on the curve for ECP (RFC
 * 6989 §2.3), or a low-order point that makes the X25519 result all zeros (RFC 7748 §6.1, RFC 8031 §2).
 * The responder answers it with INVALID_SYNTAX; it never means the group itself is wrong.
 *
 * <p>Immutable.
 */
public final class InvalidPublicValueException extends Exception {
    private static final long serialVersionUID = 1L;

    private final KeyExchangeGroup group;

    /** Rejects a public value of {@code group} for {@code reason}. */
    public InvalidPublicValueException(KeyExchangeGroup group, String reason) {
        super(group + ": " + reason);
        this.group = group;
    }

    /** The group whose public value was rejected. */
    public KeyExchangeGroup group() {
        return group;
    }
}
