package net.ipsecgw.ike.crypto.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority that issues X.509 v3 certificates for IKEv2 (RFC 5280 profile, RFC 4945 §5):
 * self-signed roots, subordinate CAs, and end-entity certificates with subjectAltNames for the IKE
 * identities and keyUsage digitalSignature. Certificates are assembled with Bouncy Castle (the JDK cannot
 * build them) and signed with the JDK's providers.
 *
 * <p>Distinguished names are read in the order written, which is DER order, as strongSwan reads them
 * ({@code "C=CH, O=Example, CN=gw-a"}). Validity starts one minute before issue to tolerate clock skew.
 * Immutable; safe to share between threads as far as its {@link SecureRandom} is.
 */
public final class CertificateAuthority {
    /** id-kp-ipsecIKE (RFC 4945 §5.1.3.12), which some IKEv2 clients require of a gateway certificate. */
    private static final KeyPurposeId IPSEC_IKE =
            KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.3.17"));

    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final KeyKind kind;
    private final SecureRandom random;

    private CertificateAuthority(
            X509Certificate certificate, PrivateKey privateKey, KeyKind kind, SecureRandom random) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.kind = kind;
        this.random = random;
    }

    /**
     * A new self-signed root CA.
     *
     * @param dn its subject and issuer, e.g. {@code "C=CH, O=Example, CN=Example Root CA"}
     * @param kind its key type
     * @param validity how long the certificate is valid from now
     * @param random the source for its key and for every serial number and key it issues
     */
    public static CertificateAuthority create(String dn, KeyKind kind, Duration validity, SecureRandom random) {
        KeyPair keys = kind.generate(random);
        X500Name name = name(dn);
        X509Certificate root = sign(
                builder(name, name, keys.getPublic(), validity, random)
                        .ext(Extension.basicConstraints, true, new BasicConstraints(true))
                        .ext(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                        .ext(
                                Extension.subjectKeyIdentifier,
                                false,
                                utils().createSubjectKeyIdentifier(keys.getPublic())),
                kind,
                keys.getPrivate());
        return new CertificateAuthority(root, keys.getPrivate(), kind, random);
    }

    /**
     * A CA from an existing certificate and its private key, e.g. imported with {@link Pem}. The
     * certificate is taken as it is; a certificate that is not a CA certificate issues certificates that
     * validators refuse.
     *
     * @throws IllegalArgumentException for a key of a kind this CA cannot sign with
     */
    public static CertificateAuthority of(X509Certificate certificate, PrivateKey privateKey, SecureRandom random) {
        return new CertificateAuthority(certificate, privateKey, KeyKind.of(privateKey), random);
    }

    /** This CA's certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** This CA's private key. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /**
     * A subordinate (intermediate) CA certified by this one.
     *
     * @param dn the subordinate's subject
     * @param subordinateKind its key type
     * @param validity how long its certificate is valid from now
     */
    public CertificateAuthority issueSubordinate(String dn, KeyKind subordinateKind, Duration validity) {
        KeyPair keys = subordinateKind.generate(random);
        X509Certificate cert = sign(
                issued(name(dn), keys.getPublic(), validity)
                        .ext(Extension.basicConstraints, true, new BasicConstraints(true))
                        .ext(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                kind,
                privateKey);
        return new CertificateAuthority(cert, keys.getPrivate(), subordinateKind, random);
    }

    /**
     * An end-entity certificate for an IKE peer, with keyUsage digitalSignature and extendedKeyUsage
     * serverAuth, clientAuth and ipsecIKE.
     *
     * @param subjectDn the subject, e.g. {@code "C=CH, O=Example, CN=gw-a.example.net"}
     * @param subjectAltNames {@code "dns:gw-a.example.net"}, {@code "ip:192.0.2.1"}, {@code
     *     "email:user@example.net"}
     * @param subjectKind the subject's key type
     * @param validity how long the certificate is valid from now
     * @throws IllegalArgumentException for a subjectAltName of another form
     */
    public IssuedCertificate issue(
            String subjectDn, List<String> subjectAltNames, KeyKind subjectKind, Duration validity) {
        return issue(subjectDn, subjectAltNames, subjectKind, validity, KeyUsage.digitalSignature);
    }

    /** As {@link #issue(String, List, KeyKind, Duration)} with the given keyUsage bits (tests only). */
    IssuedCertificate issue(
            String subjectDn, List<String> subjectAltNames, KeyKind subjectKind, Duration validity, int keyUsage) {
        KeyPair keys = subjectKind.generate(random);
        Draft builder = issued(name(subjectDn), keys.getPublic(), validity)
                .ext(Extension.basicConstraints, false, new BasicConstraints(false))
                .ext(Extension.keyUsage, true, new KeyUsage(keyUsage))
                .ext(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                    KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth, IPSEC_IKE
                }));
        if (!subjectAltNames.isEmpty()) {
            builder.ext(Extension.subjectAlternativeName, false, altNames(subjectAltNames));
        }
        return new IssuedCertificate(sign(builder, kind, privateKey), keys.getPrivate());
    }

    /** A builder for a certificate this CA issues, with the key identifiers set. */
    private Draft issued(X500Name subject, PublicKey key, Duration validity) {
        return builder(name(certificate), subject, key, validity, random)
                .ext(Extension.subjectKeyIdentifier, false, utils().createSubjectKeyIdentifier(key))
                .ext(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier());
    }

    private org.bouncycastle.asn1.x509.AuthorityKeyIdentifier authorityKeyIdentifier() {
        try {
            return utils().createAuthorityKeyIdentifier(certificate);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GeneralNames altNames(List<String> names) {
        return new GeneralNames(
                names.stream().map(CertificateAuthority::altName).toArray(GeneralName[]::new));
    }

    private static GeneralName altName(String name) {
        int colon = name.indexOf(':');
        String value = name.substring(colon + 1);
        return switch (colon < 0 ? "" : name.substring(0, colon)) {
            case "dns" -> new GeneralName(GeneralName.dNSName, value);
            case "ip" -> new GeneralName(GeneralName.iPAddress, value);
            case "email" -> new GeneralName(GeneralName.rfc822Name, value);
            default ->
                throw new IllegalArgumentException("subjectAltName must be dns:, ip: or email:, got \"" + name + "\"");
        };
    }

    private static Draft builder(
            X500Name issuer, X500Name subject, PublicKey key, Duration validity, SecureRandom random) {
        Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(CLOCK_SKEW);
        byte[] serial = new byte[16];
        random.nextBytes(serial);
        return new Draft(new JcaX509v3CertificateBuilder(
                issuer,
                new BigInteger(1, serial),
                Date.from(notBefore),
                Date.from(notBefore.plus(validity).plus(CLOCK_SKEW)),
                subject,
                key));
    }

    private static X509Certificate sign(Draft draft, KeyKind signerKind, PrivateKey signerKey) {
        try {
            var signer = new JcaContentSignerBuilder(signerKind.certificateSignatureAlgorithm()).build(signerKey);
            return new JcaX509CertificateConverter()
                    .getCertificate(draft.builder().build(signer));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("signing a certificate with " + signerKind + " failed", e);
        }
    }

    private static X500Name name(String dn) {
        return new X500Name(BCStyle.INSTANCE, dn);
    }

    private static X500Name name(X509Certificate cert) {
        return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    }

    private static JcaX509ExtensionUtils utils() {
        try {
            return new JcaX509ExtensionUtils();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate being assembled; adds extensions without the checked {@link CertIOException}. */
    private record Draft(X509v3CertificateBuilder builder) {
        Draft ext(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
            try {
                builder.addExtension(oid, critical, value);
            } catch (CertIOException e) {
                throw new IllegalStateException("encoding extension " + oid + " failed", e);
            }
            return this;
        }
    }
}
