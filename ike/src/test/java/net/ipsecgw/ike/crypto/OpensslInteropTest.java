package net.ipsecgw.ike.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.ipsecgw.ike.crypto.pki.Pem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 7427 AUTH data against the OpenSSL command line, both ways: signatures OpenSSL made (stored under
 * {@code crypto/openssl/}, commands in its README, and made live when {@code openssl} is installed) verify
 * here, and signatures made here verify with {@code openssl dgst}/{@code pkeyutl}.
 */
class OpensslInteropTest {
    static final Set<SignatureScheme> ALL = EnumSet.allOf(SignatureScheme.class);

    @TempDir
    Path dir;

    @Test
    void verifiesStoredOpensslSignatures() throws Exception {
        byte[] octets = resource("signed-octets.bin");
        assertVerifies("ecdsa-p256.pub.pem", "EC", SignatureScheme.ECDSA_SHA256, "ecdsa-p256-sha256.sig", octets);
        assertVerifies("rsa2048.pub.pem", "RSA", SignatureScheme.RSA_PSS_SHA256, "rsa2048-pss-sha256.sig", octets);
        assertVerifies("ed25519.pub.pem", "Ed25519", SignatureScheme.ED25519, "ed25519.sig", octets);
    }

    /** The scheme and the openssl signing arguments that produce the same signature algorithm. */
    enum Case {
        ECDSA_P256(SignatureScheme.ECDSA_SHA256, List.of("dgst", "-sha256")),
        ECDSA_P384(SignatureScheme.ECDSA_SHA384, List.of("dgst", "-sha384")),
        RSA_PSS(
                SignatureScheme.RSA_PSS_SHA256,
                List.of(
                        "dgst",
                        "-sha256",
                        "-sigopt",
                        "rsa_padding_mode:pss",
                        "-sigopt",
                        "rsa_pss_saltlen:32",
                        "-sigopt",
                        "rsa_mgf1_md:sha256")),
        RSA_PSS_512(
                SignatureScheme.RSA_PSS_SHA512,
                List.of(
                        "dgst",
                        "-sha512",
                        "-sigopt",
                        "rsa_padding_mode:pss",
                        "-sigopt",
                        "rsa_pss_saltlen:64",
                        "-sigopt",
                        "rsa_mgf1_md:sha512")),
        ED25519(SignatureScheme.ED25519, List.of("pkeyutl", "-rawin"));

        final SignatureScheme scheme;
        final List<String> args;

        Case(SignatureScheme scheme, List<String> args) {
            this.scheme = scheme;
            this.args = args;
        }
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void verifiesWhatOpensslSignsNow(Case c) throws Exception {
        assumeTrue(Openssl.available(), "openssl is not installed");
        KeyPair keys = keys(c.scheme);
        byte[] octets = "IKE_SA_INIT | Ni | prf(SK_pr, IDr)".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.write(dir.resolve("octets"), octets);
        Files.writeString(dir.resolve("key.pem"), Pem.writePrivateKey(keys.getPrivate()));

        Openssl.Result signed = Openssl.run(dir, sign(c));
        assertTrue(signed.ok(), signed.output());

        byte[] auth = auth(c.scheme, Files.readAllBytes(dir.resolve("sig")));
        assertTrue(DigitalSignatureAuth.verify(keys.getPublic(), auth, octets, ALL));
        assertFalse(DigitalSignatureAuth.verify(keys.getPublic(), auth, "other".getBytes(), ALL));
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void opensslVerifiesWhatWeSign(Case c) throws Exception {
        assumeTrue(Openssl.available(), "openssl is not installed");
        KeyPair keys = keys(c.scheme);
        byte[] octets = "IKE_SA_INIT | Nr | prf(SK_pi, IDi)".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] auth = DigitalSignatureAuth.sign(keys.getPrivate(), c.scheme, octets);
        int identifierEnd = 1 + (auth[0] & 0xff);
        Files.write(dir.resolve("octets"), octets);
        Files.write(dir.resolve("sig"), java.util.Arrays.copyOfRange(auth, identifierEnd, auth.length));
        Files.writeString(dir.resolve("pub.pem"), publicPem(keys.getPublic()));

        Openssl.Result verified = Openssl.run(dir, verify(c));
        assertTrue(verified.ok(), verified.output());
        assertTrue(verified.output().contains("Verified") || verified.output().contains("Success"), verified.output());
    }

    private static String[] sign(Case c) {
        List<String> args = new java.util.ArrayList<>(c.args);
        if (c == Case.ED25519) {
            args.addAll(List.of("-sign", "-inkey", "key.pem", "-in", "octets", "-out", "sig"));
        } else {
            args.addAll(List.of("-sign", "key.pem", "-out", "sig", "octets"));
        }
        return args.toArray(String[]::new);
    }

    private static String[] verify(Case c) {
        List<String> args = new java.util.ArrayList<>(c.args);
        if (c == Case.ED25519) {
            args.addAll(List.of("-verify", "-pubin", "-inkey", "pub.pem", "-in", "octets", "-sigfile", "sig"));
        } else {
            args.addAll(List.of("-verify", "pub.pem", "-signature", "sig", "octets"));
        }
        return args.toArray(String[]::new);
    }

    private static void assertVerifies(
            String publicKey, String algorithm, SignatureScheme scheme, String signature, byte[] octets)
            throws Exception {
        PublicKey key =
                readPublicKey(new String(resource(publicKey), java.nio.charset.StandardCharsets.US_ASCII), algorithm);
        byte[] auth = auth(scheme, resource(signature));
        assertTrue(DigitalSignatureAuth.verify(key, auth, octets, ALL), signature);
        byte[] tampered = octets.clone();
        tampered[0] ^= 1;
        assertFalse(DigitalSignatureAuth.verify(key, auth, tampered, ALL), signature);
    }

    private static byte[] auth(SignatureScheme scheme, byte[] signatureValue) {
        byte[] identifier = scheme.algorithmIdentifier();
        byte[] auth = Bytes.concat(new byte[] {(byte) identifier.length}, identifier, signatureValue);
        assertEquals(identifier.length, auth[0]);
        assertArrayEquals(identifier, java.util.Arrays.copyOfRange(auth, 1, 1 + identifier.length));
        return auth;
    }

    private static PublicKey readPublicKey(String pem, String algorithm) throws Exception {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(algorithm)
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static String publicPem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static KeyPair keys(SignatureScheme scheme) throws Exception {
        return switch (scheme) {
            case ECDSA_SHA256, ECDSA_SHA512 -> ec("secp256r1");
            case ECDSA_SHA384 -> ec("secp384r1");
            case RSA_PSS_SHA256, RSA_PSS_SHA384, RSA_PSS_SHA512 -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                yield generator.generateKeyPair();
            }
            case ED25519 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        };
    }

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = OpensslInteropTest.class.getResourceAsStream("/crypto/openssl/" + name)) {
            if (in == null) {
                throw new IOException("no test resource crypto/openssl/" + name);
            }
            return in.readAllBytes();
        }
    }
}
