package net.ipsecgw.ike.crypto.pki;

/**
 * A peer's certificate chain was not accepted; the message says why in terms an operator can act on
 * (expired, unknown issuer, missing intermediate, key usage). Maps to AUTHENTICATION_FAILED on the wire.
 * Immutable.
 */
public final class CertificateRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Rejects a chain for {@code reason}. */
    public CertificateRejectedException(String reason) {
        super(reason);
    }

    /** Rejects a chain for {@code reason}, keeping the validator's exception. */
    public CertificateRejectedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
