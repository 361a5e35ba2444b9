package net.ipsecgw.ike.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import net.ipsecgw.ike.crypto.Openssl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateAuthorityTest {
    static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void issuesEndEntityCertificatesForIke() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(
                "C=CH, O=Example, CN=Root CA", KeyKind.ECDSA_P256, Duration.ofDays(10), RANDOM);
        IssuedCertificate issued = ca.issue(
                "C=CH, O=Example, CN=gw-a",
                List.of("dns:gw-a.example.net", "ip:192.0.2.1", "email:admin@example.net"),
                KeyKind.ECDSA_P384,
                Duration.ofDays(1));
        X509Certificate cert = issued.certificate();

        assertEquals(new X500Principal("CN=gw-a, O=Example, C=CH"), cert.getSubjectX500Principal());
        assertEquals(ca.certificate().getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertEquals(-1, cert.getBasicConstraints());
        assertTrue(cert.getKeyUsage()[0], "digitalSignature");
        assertTrue(cert.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.17"), "ipsecIKE");
        assertEquals(3, cert.getSubjectAlternativeNames().size());
        assertEquals("SHA256withECDSA", cert.getSigAlgName());
        cert.verify(ca.certificate().getPublicKey());
        assertEquals("EC", issued.privateKey().getAlgorithm());
        assertFalse(issued.toString()
                .contains(java.util.HexFormat.of().formatHex(issued.privateKey().getEncoded())));
        assertTrue(ca.certificate().getBasicConstraints() >= 0);
        assertTrue(ca.certificate().getKeyUsage()[5], "keyCertSign");
    }

    @Test
    void refusesUnknownAltNameForms() {
        CertificateAuthority ca = CertificateAuthority.create("CN=CA", KeyKind.ED25519, Duration.ofDays(1), RANDOM);
        assertThrows(
                IllegalArgumentException.class,
                () -> ca.issue("CN=x", List.of("uri:https://example.net"), KeyKind.ED25519, Duration.ofDays(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> ca.issue("CN=x", List.of("gw.example.net"), KeyKind.ED25519, Duration.ofDays(1)));
    }

    /** What the CA issues must be accepted by other implementations: {@code openssl verify}. */
    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void opensslVerifiesTheChain(KeyKind kind) throws Exception {
        assumeTrue(Openssl.available(), "openssl is not installed");
        CertificateAuthority root =
                CertificateAuthority.create("C=CH, O=Example, CN=Root " + kind, kind, Duration.ofDays(10), RANDOM);
        CertificateAuthority sub = root.issueSubordinate("C=CH, O=Example, CN=Sub " + kind, kind, Duration.ofDays(5));
        IssuedCertificate peer =
                sub.issue("C=CH, O=Example, CN=peer", List.of("dns:peer.example.net"), kind, Duration.ofDays(1));
        Files.writeString(dir.resolve("root.pem"), Pem.writeCertificate(root.certificate()));
        Files.writeString(dir.resolve("sub.pem"), Pem.writeCertificate(sub.certificate()));
        Files.writeString(dir.resolve("peer.pem"), Pem.writeCertificate(peer.certificate()));
        Files.writeString(dir.resolve("peer.key"), Pem.writePrivateKey(peer.privateKey()));

        Openssl.Result verified =
                Openssl.run(dir, "verify", "-CAfile", "root.pem", "-untrusted", "sub.pem", "peer.pem");
        assertTrue(verified.ok(), verified.output());
        assertTrue(verified.output().contains("peer.pem: OK"), verified.output());

        Openssl.Result missing = Openssl.run(dir, "verify", "-CAfile", "root.pem", "peer.pem");
        assertFalse(missing.ok(), missing.output());

        Openssl.Result key = Openssl.run(dir, "pkey", "-in", "peer.key", "-noout");
        assertTrue(key.ok(), "openssl reads the PKCS#8 key: " + key.output());
    }
}
