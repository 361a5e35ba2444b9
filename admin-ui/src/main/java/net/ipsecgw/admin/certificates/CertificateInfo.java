package net.ipsecgw.admin.certificates;

import java.time.Instant;

/**
 * A stored certificate as the console lists it.
 *
 * @param name its name in the store
 * @param subject the subject DN
 * @param issuer the issuer DN
 * @param serial the serial number in hex
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param authority true for a CA certificate
 * @param hasPrivateKey true when the store holds its key (generated here)
 * @param sha256 the SHA-256 fingerprint
 */
public record CertificateInfo(
        String name,
        String subject,
        String issuer,
        String serial,
        Instant notBefore,
        Instant notAfter,
        boolean authority,
        boolean hasPrivateKey,
        String sha256) {}
