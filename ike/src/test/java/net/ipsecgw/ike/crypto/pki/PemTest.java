package net.ipsecgw.ike.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PemTest {
    static final SecureRandom RANDOM = new SecureRandom();

    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void roundTripsCertificatesAndPrivateKeys(KeyKind kind) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("CN=PEM " + kind, kind, Duration.ofDays(1), RANDOM);
        IssuedCertificate issued = ca.issue("CN=peer", List.of("dns:peer"), kind, Duration.ofDays(1));

        String certificates = Pem.writeCertificates(List.of(issued.certificate(), ca.certificate()));
        String key = Pem.writePrivateKey(issued.privateKey());

        assertEquals(List.of(issued.certificate(), ca.certificate()), Pem.readCertificates(certificates));
        assertEquals(issued.certificate(), Pem.readCertificate(Pem.writeCertificate(issued.certificate())));
        assertTrue(key.startsWith("-----BEGIN PRIVATE KEY-----\n"), key);
        assertTrue(key.lines().allMatch(line -> line.length() <= 64), key);
        PrivateKey read = Pem.readPrivateKey(key);
        assertArrayEquals(issued.privateKey().getEncoded(), read.getEncoded());
        assertSignsFor(read, issued);
    }

    @Test
    void readsOpensslTraditionalKeys() throws Exception {
        assertEquals(
                "EC",
                Pem.readPrivateKey(resource("ec-p256-traditional.key.pem")).getAlgorithm());
        assertEquals(
                "RSA",
                Pem.readPrivateKey(resource("rsa2048-traditional.key.pem")).getAlgorithm());
    }

    @Test
    void refusesEncryptedAndMissingKeys() throws Exception {
        String encrypted = resource("ec-p256-encrypted.key.pem");
        IOException e = assertThrows(IOException.class, () -> Pem.readPrivateKey(encrypted));
        assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
        assertThrows(IOException.class, () -> Pem.readPrivateKey(resource("ecdsa-p256.pub.pem")));
        assertThrows(IOException.class, () -> Pem.readPrivateKey("no PEM here"));
    }

    @Test
    void readCertificateWantsExactlyOne() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("CN=one", KeyKind.ED25519, Duration.ofDays(1), RANDOM);
        String two = Pem.writeCertificates(List.of(ca.certificate(), ca.certificate()));
        assertThrows(CertificateException.class, () -> Pem.readCertificate(two));
        assertEquals(List.of(), Pem.readCertificates(""));
    }

    private static void assertSignsFor(PrivateKey key, IssuedCertificate issued) throws Exception {
        String algorithm =
                switch (key.getAlgorithm()) {
                    case "EC" -> "SHA256withECDSA";
                    case "RSA" -> "SHA256withRSA";
                    default -> "Ed25519";
                };
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(issued.certificate().getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signature));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PemTest.class.getResourceAsStream("/crypto/openssl/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
