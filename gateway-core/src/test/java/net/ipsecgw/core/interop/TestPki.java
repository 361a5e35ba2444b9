package net.ipsecgw.core.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for the interop tests: an ECDSA CA on one curve (P-256 or
 * P-384) that issues gateway certificates whose subject alternative name is the gateway's FQDN (the
 * identity both IKE implementations check). Writes PEM files: certificates, and private keys as
 * unencrypted PKCS#8. Valid from an hour ago for a day. Not thread-safe.
 */
public final class TestPki {
    /** The ECDSA curves the tests use, with the signature each CA signs with. */
    public enum Curve {
        P256("secp256r1", "SHA256withECDSA"),
        P384("secp384r1", "SHA384withECDSA");

        private final String jcaName;
        private final String signature;

        Curve(String jcaName, String signature) {
            this.jcaName = jcaName;
            this.signature = signature;
        }
    }

    /**
     * One issued certificate and its files.
     *
     * @param fqdn the identity in its subject alternative name
     * @param certificate its PEM file
     * @param privateKey its key's PEM file (PKCS#8)
     */
    public record Issued(String fqdn, Path certificate, Path privateKey) {}

    private final Curve curve;
    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caFile;
    private final SecureRandom random = new SecureRandom();

    private TestPki(Curve curve, Path dir, KeyPair caKeys, X509Certificate caCertificate, Path caFile) {
        this.curve = curve;
        this.dir = dir;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.caFile = caFile;
    }

    /** Makes a CA on {@code curve} and writes its certificate to {@code dir/ca.pem}. */
    public static TestPki create(Curve curve, Path dir) {
        try {
            Files.createDirectories(dir);
            KeyPair keys = generate(curve);
            X500Name name = new X500Name("C=CH, O=ipsecgw interop, CN=interop CA " + curve);
            X509v3CertificateBuilder builder = builder(name, name, keys, BigInteger.ONE)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate ca = sign(builder, keys, curve);
            Path file = dir.resolve("ca.pem");
            writePem(file, "CERTIFICATE", ca.getEncoded());
            return new TestPki(curve, dir, keys, ca, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test CA on " + curve, e);
        }
    }

    /** The CA certificate's PEM file. */
    public Path caCertificate() {
        return caFile;
    }

    /** The curve of the CA and of every key it issues for. */
    public Curve curve() {
        return curve;
    }

    /**
     * Issues a gateway certificate for {@code fqdn} with a fresh key on the CA's curve, written to
     * {@code <fqdn>.pem} and {@code <fqdn>.key.pem}.
     */
    public Issued issue(String fqdn) {
        try {
            KeyPair keys = generate(curve);
            X500Name subject = new X500Name("C=CH, O=ipsecgw interop, CN=" + fqdn);
            // The issuer as encoded in the CA certificate: a name re-parsed from text may reorder its RDNs.
            X500Name issuer =
                    X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(
                            issuer, subject, keys, new BigInteger(63, random).add(BigInteger.TWO))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(new GeneralName(GeneralName.dNSName, fqdn)))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            utils.createAuthorityKeyIdentifier(caCertificate.getPublicKey()));
            X509Certificate certificate = sign(builder, caKeys, curve);
            Path certFile = dir.resolve(fqdn + ".pem");
            Path keyFile = dir.resolve(fqdn + ".key.pem");
            writePem(certFile, "CERTIFICATE", certificate.getEncoded());
            // PKCS#8 is what Java's EC private keys encode to.
            writePem(keyFile, "PRIVATE KEY", keys.getPrivate().getEncoded());
            return new Issued(fqdn, certFile, keyFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a certificate for " + fqdn, e);
        }
    }

    private static KeyPair generate(Curve curve) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve.jcaName));
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(
            X500Name issuer, X500Name subject, KeyPair subjectKeys, BigInteger serial) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                serial,
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                subject,
                subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer, Curve curve)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(curve.signature).build(signer.getPrivate())));
    }

    private static void writePem(Path file, String type, byte[] der) throws IOException {
        try (Writer out = Files.newBufferedWriter(file)) {
            out.write("-----BEGIN " + type + "-----\n");
            out.write(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der));
            out.write("\n-----END " + type + "-----\n");
        }
    }
}
