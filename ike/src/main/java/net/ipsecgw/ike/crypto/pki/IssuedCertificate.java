package net.ipsecgw.ike.crypto.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A certificate issued by a {@link CertificateAuthority} together with the private key of its subject.
 * Immutable; the private key is never printed.
 *
 * @param certificate the issued certificate
 * @param privateKey the subject's private key
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey) {
    /** The subject and serial number; the key is redacted. */
    @Override
    public String toString() {
        return "IssuedCertificate[subject="
                + certificate.getSubjectX500Principal().getName() + ", serial="
                + certificate.getSerialNumber().toString(16) + ", privateKey=redacted]";
    }
}
