package net.ipsecgw.ike.crypto.pki;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Validates a peer's certificate chain (its CERT payloads, end entity first) against the configured trust
 * anchors: RFC 5280 §6 path validation by the JDK's PKIX {@link CertPathValidator}, without revocation
 * checking, at a given instant; then the end entity's keyUsage, when present, must allow
 * digitalSignature (RFC 4945 §5.1.3.2).
 *
 * <p>The chain may carry its intermediates in any order, unrelated certificates and the root itself; the
 * path is rebuilt from the end entity by issuer name. Immutable and thread-safe.
 */
public final class CertificateValidator {
    private final Set<TrustAnchor> anchors;
    private final List<X509Certificate> anchorCertificates;

    /**
     * A validator trusting {@code trustAnchors}.
     *
     * @throws IllegalArgumentException if there is no anchor
     */
    public CertificateValidator(List<X509Certificate> trustAnchors) {
        if (trustAnchors.isEmpty()) {
            throw new IllegalArgumentException("no trust anchor");
        }
        this.anchorCertificates = List.copyOf(trustAnchors);
        Set<TrustAnchor> set = new LinkedHashSet<>();
        trustAnchors.forEach(cert -> set.add(new TrustAnchor(cert, null)));
        this.anchors = Set.copyOf(set);
    }

    /**
     * Validates {@code chain} at {@code at} and returns its end-entity certificate.
     *
     * @throws CertificateRejectedException with the reason, if the chain is empty, does not lead to a
     *     trust anchor, has a certificate outside its validity at {@code at}, a bad signature, a non-CA
     *     issuer, or an end entity whose keyUsage excludes digitalSignature
     */
    public X509Certificate validate(List<X509Certificate> chain, Instant at) throws CertificateRejectedException {
        if (chain.isEmpty()) {
            throw new CertificateRejectedException("the peer sent no certificate");
        }
        X509Certificate endEntity = chain.getFirst();
        List<X509Certificate> path = orderedPath(chain);
        if (path.isEmpty()) {
            checkValidity(endEntity, at);
        } else {
            runPkix(path, at);
        }
        checkKeyUsage(endEntity);
        return endEntity;
    }

    /** The end entity and the intermediates up to (not including) a trust anchor, in issuing order. */
    private List<X509Certificate> orderedPath(List<X509Certificate> chain) {
        List<X509Certificate> path = new ArrayList<>();
        List<X509Certificate> remaining = new ArrayList<>(chain.subList(1, chain.size()));
        X509Certificate current = chain.getFirst();
        while (current != null && !anchorCertificates.contains(current)) {
            path.add(current);
            current = issuerAmong(current, remaining);
        }
        return path;
    }

    private static X509Certificate issuerAmong(X509Certificate cert, List<X509Certificate> candidates) {
        X500Principal issuer = cert.getIssuerX500Principal();
        if (issuer.equals(cert.getSubjectX500Principal())) {
            return null;
        }
        for (X509Certificate candidate : candidates) {
            if (candidate.getSubjectX500Principal().equals(issuer)) {
                candidates.remove(candidate);
                return candidate;
            }
        }
        return null;
    }

    private void runPkix(List<X509Certificate> path, Instant at) throws CertificateRejectedException {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
        } catch (CertPathValidatorException e) {
            throw new CertificateRejectedException(describe(e, path), e);
        } catch (GeneralSecurityException e) {
            throw new CertificateRejectedException("the chain could not be validated: " + e.getMessage(), e);
        }
    }

    private String describe(CertPathValidatorException e, List<X509Certificate> path) {
        X509Certificate cert = path.get(Math.max(0, Math.min(e.getIndex(), path.size() - 1)));
        String subject = "certificate \"" + cert.getSubjectX500Principal().getName() + "\"";
        if (e.getReason() == BasicReason.EXPIRED) {
            return subject + " expired on " + cert.getNotAfter().toInstant();
        }
        if (e.getReason() == BasicReason.NOT_YET_VALID) {
            return subject + " is not valid before " + cert.getNotBefore().toInstant();
        }
        if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
            return noAnchor(path.getLast());
        }
        if (e.getReason() == BasicReason.INVALID_SIGNATURE) {
            return "the signature on " + subject + " does not verify with its issuer's key";
        }
        if (e.getReason() == PKIXReason.NOT_CA_CERT) {
            return subject + " issued another certificate but is not a CA certificate";
        }
        return subject + " was rejected: " + e.getMessage();
    }

    private String noAnchor(X509Certificate top) {
        X500Principal issuer = top.getIssuerX500Principal();
        boolean anchorNamed = anchorCertificates.stream()
                .anyMatch(a -> a.getSubjectX500Principal().equals(issuer));
        if (anchorNamed) {
            return "\"" + top.getSubjectX500Principal().getName() + "\" names trust anchor \"" + issuer.getName()
                    + "\" as issuer but is not signed by its key";
        }
        return "issuer \"" + issuer.getName() + "\" of \""
                + top.getSubjectX500Principal().getName()
                + "\" is not a trust anchor and not in the chain: an intermediate certificate is missing or the CA"
                + " is not trusted";
    }

    private static void checkValidity(X509Certificate cert, Instant at) throws CertificateRejectedException {
        try {
            cert.checkValidity(Date.from(at));
        } catch (java.security.cert.CertificateExpiredException e) {
            throw new CertificateRejectedException(
                    "certificate \"" + cert.getSubjectX500Principal().getName() + "\" expired on "
                            + cert.getNotAfter().toInstant(),
                    e);
        } catch (java.security.cert.CertificateNotYetValidException e) {
            throw new CertificateRejectedException(
                    "certificate \"" + cert.getSubjectX500Principal().getName() + "\" is not valid before "
                            + cert.getNotBefore().toInstant(),
                    e);
        }
    }

    private static void checkKeyUsage(X509Certificate endEntity) throws CertificateRejectedException {
        boolean[] keyUsage = endEntity.getKeyUsage();
        if (keyUsage != null && (keyUsage.length == 0 || !keyUsage[0])) {
            throw new CertificateRejectedException("the key usage of \""
                    + endEntity.getSubjectX500Principal().getName() + "\" does not allow digitalSignature");
        }
    }
}
