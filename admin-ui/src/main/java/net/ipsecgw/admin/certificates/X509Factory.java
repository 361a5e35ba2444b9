package net.ipsecgw.admin.certificates;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import net.ipsecgw.ike.crypto.pki.CertificateAuthority;
import net.ipsecgw.ike.crypto.pki.KeyKind;
import net.ipsecgw.ike.crypto.pki.Pem;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes X.509 certificates with Bouncy Castle: a CA, a certificate issued by one (for an IKE identity
 * or a server), and the console's self-signed HTTPS certificate. Keys are ECDSA P-256, signatures
 * SHA-256 (RFC 7427 for IKE). Stateless; any thread.
 *
 * <p>New CAs and all PEM come from module ike's {@link CertificateAuthority} and {@link Pem}; issuing
 * from a CA stored on disk stays here until {@code CertificateAuthority} can be made from a stored
 * certificate and key.
 */
public final class X509Factory {
    private static final SecureRandom RANDOM = new SecureRandom();

    private X509Factory() {}

    /** A certificate and its private key. */
    public record Issued(X509Certificate certificate, PrivateKey privateKey) {
        /** The certificate in PEM. */
        public String certificatePem() {
            return Pem.writeCertificate(certificate);
        }

        /** The private key in PEM (PKCS#8). */
        public String privateKeyPem() {
            return Pem.writePrivateKey(privateKey);
        }
    }

    /** A self-signed CA certificate named {@code commonName}, made by module ike's {@link CertificateAuthority}. */
    public static Issued certificateAuthority(String commonName, Duration validity) {
        CertificateAuthority ca = CertificateAuthority.create("CN=" + commonName, KeyKind.ECDSA_P256, validity, RANDOM);
        return new Issued(ca.certificate(), ca.privateKey());
    }

    /** A certificate for {@code commonName} and {@code subjectAltNames}, issued by {@code ca}. */
    public static Issued issue(Issued ca, String commonName, List<String> subjectAltNames, Duration validity) {
        KeyPair keys = newKeyPair();
        X500Name issuer =
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        return sign(name(commonName), keys, issuer, ca.privateKey(), validity, false, subjectAltNames);
    }

    /** A self-signed server certificate (the console's HTTPS certificate when none is configured). */
    public static Issued selfSigned(String commonName, List<String> subjectAltNames, Duration validity) {
        KeyPair keys = newKeyPair();
        X500Name name = name(commonName);
        return sign(name, keys, name, keys.getPrivate(), validity, false, subjectAltNames);
    }

    private static Issued sign(
            X500Name subject,
            KeyPair keys,
            X500Name issuer,
            PrivateKey issuerKey,
            Duration validity,
            boolean ca,
            List<String> subjectAltNames) {
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuer,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(validity)),
                    subject,
                    keys.getPublic());
            extensions(builder, keys, ca, subjectAltNames);
            X509CertificateHolder holder =
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey));
            return new Issued(new JcaX509CertificateConverter().getCertificate(holder), keys.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a certificate for " + subject, e);
        }
    }

    private static void extensions(X509v3CertificateBuilder builder, KeyPair keys, boolean ca, List<String> sans)
            throws IOException, GeneralSecurityException {
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        int usage = ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature;
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        if (!ca) {
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_ipsecIKE
            }));
        }
        if (!sans.isEmpty()) {
            GeneralName[] names = sans.stream().map(X509Factory::generalName).toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
    }

    private static GeneralName generalName(String san) {
        if (san.matches("[0-9.]+") || san.contains(":")) {
            return new GeneralName(GeneralName.iPAddress, san);
        }
        return san.contains("@")
                ? new GeneralName(GeneralName.rfc822Name, san)
                : new GeneralName(GeneralName.dNSName, san);
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key generator", e);
        }
    }
}
