package net.ipsecgw.ike.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateValidatorTest {
    static final SecureRandom RANDOM = new SecureRandom();
    static CertificateAuthority root;
    static CertificateAuthority intermediate;
    static IssuedCertificate gateway;
    static CertificateValidator validator;

    @BeforeAll
    static void pki() {
        root = CertificateAuthority.create(
                "C=CH, O=Example, CN=Root CA", KeyKind.ECDSA_P384, Duration.ofDays(3650), RANDOM);
        intermediate = root.issueSubordinate("C=CH, O=Example, CN=VPN CA", KeyKind.ECDSA_P256, Duration.ofDays(365));
        gateway = intermediate.issue(
                "C=CH, O=Example, CN=gw-a.example.net",
                List.of("dns:gw-a.example.net"),
                KeyKind.ECDSA_P256,
                Duration.ofDays(30));
        validator = new CertificateValidator(List.of(root.certificate()));
    }

    @Test
    void acceptsAChainToTheAnchor() throws Exception {
        X509Certificate endEntity =
                validator.validate(List.of(gateway.certificate(), intermediate.certificate()), Instant.now());
        assertEquals(gateway.certificate(), endEntity);
    }

    @Test
    void acceptsIntermediatesInAnyOrderWithTheRootAndStrangersMixedIn() throws Exception {
        CertificateAuthority stranger =
                CertificateAuthority.create("CN=Stranger", KeyKind.ECDSA_P256, Duration.ofDays(9), RANDOM);
        List<X509Certificate> chain =
                List.of(gateway.certificate(), stranger.certificate(), root.certificate(), intermediate.certificate());
        assertEquals(gateway.certificate(), validator.validate(chain, Instant.now()));
    }

    @Test
    void acceptsAnEndEntityIssuedByTheAnchorDirectly() throws Exception {
        IssuedCertificate direct = root.issue("CN=direct", List.of(), KeyKind.ED25519, Duration.ofDays(1));
        assertEquals(direct.certificate(), validator.validate(List.of(direct.certificate()), Instant.now()));
    }

    @Test
    void rejectsAnExpiredCertificate() {
        Instant later = Instant.now().plus(Duration.ofDays(31));
        var e = assertThrows(
                CertificateRejectedException.class,
                () -> validator.validate(List.of(gateway.certificate(), intermediate.certificate()), later));
        assertTrue(e.getMessage().contains("gw-a.example.net") && e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void rejectsACertificateNotYetValid() {
        Instant earlier = Instant.now().minus(Duration.ofDays(1));
        var e = assertThrows(
                CertificateRejectedException.class,
                () -> validator.validate(List.of(gateway.certificate(), intermediate.certificate()), earlier));
        assertTrue(e.getMessage().contains("not valid before"), e.getMessage());
    }

    @Test
    void rejectsAChainToAnotherAnchor() {
        CertificateAuthority other = CertificateAuthority.create(
                "C=CH, O=Other, CN=Root CA", KeyKind.ECDSA_P256, Duration.ofDays(9), RANDOM);
        var e = assertThrows(
                CertificateRejectedException.class, () -> new CertificateValidator(List.of(other.certificate()))
                        .validate(List.of(gateway.certificate(), intermediate.certificate()), Instant.now()));
        assertTrue(e.getMessage().contains("is not a trust anchor"), e.getMessage());
    }

    @Test
    void rejectsAChainMissingItsIntermediate() {
        var e = assertThrows(
                CertificateRejectedException.class,
                () -> validator.validate(List.of(gateway.certificate()), Instant.now()));
        assertTrue(e.getMessage().contains("VPN CA") && e.getMessage().contains("intermediate"), e.getMessage());
    }

    /** A root with the anchor's name but another key did not sign the intermediate. */
    @Test
    void rejectsAnImpostorAnchor() {
        CertificateAuthority impostor = CertificateAuthority.create(
                "C=CH, O=Example, CN=Root CA", KeyKind.ECDSA_P384, Duration.ofDays(9), RANDOM);
        var e = assertThrows(
                CertificateRejectedException.class, () -> new CertificateValidator(List.of(impostor.certificate()))
                        .validate(List.of(gateway.certificate(), intermediate.certificate()), Instant.now()));
        assertTrue(e.getMessage().contains("not signed by its key"), e.getMessage());
    }

    @Test
    void rejectsAnEndEntityWithoutDigitalSignatureKeyUsage() {
        IssuedCertificate encipherOnly = intermediate.issue(
                "CN=encipher-only", List.of(), KeyKind.ECDSA_P256, Duration.ofDays(1), KeyUsage.keyAgreement);
        var e = assertThrows(
                CertificateRejectedException.class,
                () -> validator.validate(
                        List.of(encipherOnly.certificate(), intermediate.certificate()), Instant.now()));
        assertTrue(e.getMessage().contains("digitalSignature"), e.getMessage());
    }

    @Test
    void rejectsAnEndEntityUsedAsIssuer() {
        CertificateAuthority fake = CertificateAuthority.of(gateway.certificate(), gateway.privateKey(), RANDOM);
        IssuedCertificate child = fake.issue("CN=child", List.of(), KeyKind.ECDSA_P256, Duration.ofDays(1));
        var e = assertThrows(
                CertificateRejectedException.class,
                () -> validator.validate(
                        List.of(child.certificate(), gateway.certificate(), intermediate.certificate()),
                        Instant.now()));
        assertTrue(
                e.getMessage().contains("not a CA certificate")
                        || e.getMessage().contains("rejected"),
                e.getMessage());
    }

    @Test
    void rejectsAnEmptyChain() {
        var e = assertThrows(CertificateRejectedException.class, () -> validator.validate(List.of(), Instant.now()));
        assertTrue(e.getMessage().contains("no certificate"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void acceptsEveryKeyKind(KeyKind kind) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("CN=" + kind + " CA", kind, Duration.ofDays(2), RANDOM);
        IssuedCertificate peer = ca.issue("CN=" + kind + " peer", List.of("ip:192.0.2.7"), kind, Duration.ofDays(1));
        assertEquals(
                peer.certificate(),
                new CertificateValidator(List.of(ca.certificate()))
                        .validate(List.of(peer.certificate()), Instant.now()));
    }
}
