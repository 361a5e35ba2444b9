package net.ipsecgw.ike.crypto;

import static net.ipsecgw.ike.crypto.Hex.bytes;
import static net.ipsecgw.ike.crypto.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DigitalSignatureAuthTest {
    static final byte[] OCTETS =
            "RealMessage1 | NonceRData | MACedIDForI".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final Set<SignatureScheme> ALL = EnumSet.allOf(SignatureScheme.class);

    static KeyPair p256;
    static KeyPair p384;
    static KeyPair rsa;
    static KeyPair ed25519;

    @BeforeAll
    static void keys() throws Exception {
        p256 = ec("secp256r1");
        p384 = ec("secp384r1");
        KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(2048);
        rsa = rsaGenerator.generateKeyPair();
        ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /** RFC 7427 Appendix A.3 (ECDSA), A.4.3 (RSASSA-PSS with SHA-256); RFC 8420 §2 (Ed25519). */
    @Test
    void algorithmIdentifiersAreThoseOfRfc7427() {
        assertEquals("300a06082a8648ce3d040302", hex(SignatureScheme.ECDSA_SHA256.algorithmIdentifier()));
        assertEquals("300a06082a8648ce3d040303", hex(SignatureScheme.ECDSA_SHA384.algorithmIdentifier()));
        assertEquals("300a06082a8648ce3d040304", hex(SignatureScheme.ECDSA_SHA512.algorithmIdentifier()));
        assertArrayEquals(
                bytes("3041 0609 2a864886f70d01010a 3034 a00f 300d 0609 608648016503040201 0500"
                        + " a11c 301a 0609 2a864886f70d010108 300d 0609 608648016503040201 0500 a203 020120"),
                SignatureScheme.RSA_PSS_SHA256.algorithmIdentifier());
        assertEquals("300506032b6570", hex(SignatureScheme.ED25519.algorithmIdentifier()));
    }

    /** The PSS identifiers are the DER of RFC 4055 RSASSA-PSS-params as Bouncy Castle encodes them. */
    @Test
    void pssIdentifiersMatchAnIndependentEncoder() throws Exception {
        Map<SignatureScheme, Object[]> expected = Map.of(
                SignatureScheme.RSA_PSS_SHA256, new Object[] {NISTObjectIdentifiers.id_sha256, 32},
                SignatureScheme.RSA_PSS_SHA384, new Object[] {NISTObjectIdentifiers.id_sha384, 48},
                SignatureScheme.RSA_PSS_SHA512, new Object[] {NISTObjectIdentifiers.id_sha512, 64});
        for (var entry : expected.entrySet()) {
            AlgorithmIdentifier hash = new AlgorithmIdentifier(
                    (org.bouncycastle.asn1.ASN1ObjectIdentifier) entry.getValue()[0], DERNull.INSTANCE);
            RSASSAPSSparams params = new RSASSAPSSparams(
                    hash,
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, hash),
                    new ASN1Integer((Integer) entry.getValue()[1]),
                    RSASSAPSSparams.DEFAULT_TRAILER_FIELD);
            byte[] der = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, params).getEncoded("DER");
            assertArrayEquals(
                    der, entry.getKey().algorithmIdentifier(), entry.getKey().name());
        }
    }

    /** IANA "IKEv2 Hash Algorithms": SHA2_256 2, SHA2_384 3, SHA2_512 4, Identity 5. */
    @Test
    void announcesHashAlgorithmIds() {
        assertEquals(2, SignatureScheme.ECDSA_SHA256.hashAlgorithmId());
        assertEquals(3, SignatureScheme.RSA_PSS_SHA384.hashAlgorithmId());
        assertEquals(4, SignatureScheme.ECDSA_SHA512.hashAlgorithmId());
        assertEquals(5, SignatureScheme.ED25519.hashAlgorithmId());
        assertEquals(Set.of(2, 3, 4, 5), SignatureScheme.supportedHashAlgorithms());
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void signaturesRoundTrip(SignatureScheme scheme) {
        KeyPair keys = keysFor(scheme);
        byte[] auth = DigitalSignatureAuth.sign(keys.getPrivate(), scheme, OCTETS);
        byte[] identifier = scheme.algorithmIdentifier();

        assertEquals(identifier.length, auth[0] & 0xff);
        assertArrayEquals(identifier, Arrays.copyOfRange(auth, 1, 1 + identifier.length));
        assertTrue(DigitalSignatureAuth.verify(keys.getPublic(), auth, OCTETS, ALL));
        assertTrue(DigitalSignatureAuth.verify(keys.getPublic(), auth, OCTETS, Set.of(scheme)));
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void rejectsTamperedOctetsAndSignatures(SignatureScheme scheme) {
        KeyPair keys = keysFor(scheme);
        byte[] auth = DigitalSignatureAuth.sign(keys.getPrivate(), scheme, OCTETS);
        byte[] octets = OCTETS.clone();
        octets[3] ^= 0x20;
        byte[] signature = auth.clone();
        signature[signature.length - 1] ^= 0x01;

        assertFalse(DigitalSignatureAuth.verify(keys.getPublic(), auth, octets, ALL));
        assertFalse(DigitalSignatureAuth.verify(keys.getPublic(), signature, OCTETS, ALL));
        assertFalse(DigitalSignatureAuth.verify(otherKeyOfSameType(scheme).getPublic(), auth, OCTETS, ALL));
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void rejectsAKeyOfAnotherType(SignatureScheme scheme) {
        byte[] auth = DigitalSignatureAuth.sign(keysFor(scheme).getPrivate(), scheme, OCTETS);
        for (KeyPair other : new KeyPair[] {p256, rsa, ed25519}) {
            if (!scheme.fitsKey(other.getPublic())) {
                assertFalse(DigitalSignatureAuth.verify(other.getPublic(), auth, OCTETS, ALL));
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DigitalSignatureAuth.sign(other.getPrivate(), scheme, OCTETS));
            }
        }
    }

    @Test
    void rejectsSchemesTheConnectionDoesNotAccept() {
        byte[] auth = DigitalSignatureAuth.sign(p256.getPrivate(), SignatureScheme.ECDSA_SHA256, OCTETS);
        assertFalse(DigitalSignatureAuth.verify(p256.getPublic(), auth, OCTETS, Set.of(SignatureScheme.ECDSA_SHA384)));
        assertFalse(DigitalSignatureAuth.verify(p256.getPublic(), auth, OCTETS, Set.of()));
    }

    /** sha256WithRSAEncryption (PKCS#1 v1.5, RFC 7427 A.1.2) is well-formed but not a scheme we accept. */
    @Test
    void rejectsUnknownAlgorithmIdentifiers() throws Exception {
        Signature pkcs1 = Signature.getInstance("SHA256withRSA");
        pkcs1.initSign(rsa.getPrivate());
        pkcs1.update(OCTETS);
        byte[] identifier = bytes("300d06092a864886f70d01010b0500");
        byte[] auth = Bytes.concat(new byte[] {(byte) identifier.length}, identifier, pkcs1.sign());

        assertFalse(DigitalSignatureAuth.verify(rsa.getPublic(), auth, OCTETS, ALL));
        assertFalse(DigitalSignatureAuth.verify(rsa.getPublic(), bytes("03 010203 00"), OCTETS, ALL));
    }

    @Test
    void rejectsMalformedAuthData() {
        byte[] auth = DigitalSignatureAuth.sign(p256.getPrivate(), SignatureScheme.ECDSA_SHA256, OCTETS);

        assertFalse(DigitalSignatureAuth.verify(p256.getPublic(), new byte[0], OCTETS, ALL));
        assertFalse(DigitalSignatureAuth.verify(p256.getPublic(), Arrays.copyOf(auth, 8), OCTETS, ALL));
        assertFalse(DigitalSignatureAuth.verify(p256.getPublic(), Arrays.copyOf(auth, 13), OCTETS, ALL));
        byte[] longLength = auth.clone();
        longLength[0] = (byte) 0xff;
        assertFalse(DigitalSignatureAuth.verify(p256.getPublic(), longLength, OCTETS, ALL));
    }

    /** RFC 7427 §3 uses the PKIX form of the named algorithm: a DER ECDSA-Sig-Value, as strongSwan sends. */
    @Test
    void ecdsaSignatureValueIsDerEcdsaSigValue() {
        byte[] auth = DigitalSignatureAuth.sign(p256.getPrivate(), SignatureScheme.ECDSA_SHA256, OCTETS);
        byte[] value = Arrays.copyOfRange(auth, 13, auth.length);

        ASN1Sequence sigValue = ASN1Sequence.getInstance(value);
        assertEquals(2, sigValue.size());
        assertTrue(ASN1Integer.getInstance(sigValue.getObjectAt(0)).getValue().signum() > 0);
        assertTrue(ASN1Integer.getInstance(sigValue.getObjectAt(1)).getValue().signum() > 0);
    }

    /** A PSS signer may pick another salt length; its AlgorithmIdentifier says so and is honoured. */
    @Test
    void verifiesPssWithTheSaltLengthItsIdentifierGives() throws Exception {
        Signature signer = Signature.getInstance("RSASSA-PSS");
        signer.setParameter(new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 20, 1));
        signer.initSign(rsa.getPrivate());
        signer.update(OCTETS);
        AlgorithmIdentifier hash = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384, DERNull.INSTANCE);
        byte[] identifier = new AlgorithmIdentifier(
                        PKCSObjectIdentifiers.id_RSASSA_PSS,
                        new RSASSAPSSparams(
                                hash,
                                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, hash),
                                new ASN1Integer(20),
                                RSASSAPSSparams.DEFAULT_TRAILER_FIELD))
                .getEncoded("DER");
        byte[] auth = Bytes.concat(new byte[] {(byte) identifier.length}, identifier, signer.sign());

        assertTrue(DigitalSignatureAuth.verify(rsa.getPublic(), auth, OCTETS, Set.of(SignatureScheme.RSA_PSS_SHA384)));
        assertFalse(DigitalSignatureAuth.verify(rsa.getPublic(), auth, OCTETS, Set.of(SignatureScheme.RSA_PSS_SHA256)));
    }

    /** RFC 8032 §7.1 TEST 1: Ed25519 is deterministic, so the signature value is the RFC's. */
    @Test
    void signsRfc8032Test1() throws Exception {
        byte[] secret = bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        PrivateKey key = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, secret));
        PublicKey publicKey =
                ed25519PublicKey(bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));

        byte[] auth = DigitalSignatureAuth.sign(key, SignatureScheme.ED25519, new byte[0]);

        assertEquals(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                hex(Arrays.copyOfRange(auth, 8, auth.length)));
        assertTrue(DigitalSignatureAuth.verify(publicKey, auth, new byte[0], ALL));
    }

    @Test
    void choosesTheSchemeForTheKeyAndThePeersHashes() {
        assertEquals(SignatureScheme.ECDSA_SHA256, SignatureScheme.forKey(p256.getPrivate(), Set.of(2, 3, 4)));
        assertEquals(SignatureScheme.ECDSA_SHA384, SignatureScheme.forKey(p256.getPrivate(), Set.of(3, 4)));
        assertEquals(SignatureScheme.ECDSA_SHA384, SignatureScheme.forKey(p384.getPrivate(), Set.of(2, 3, 4)));
        assertEquals(SignatureScheme.ECDSA_SHA256, SignatureScheme.forKey(p384.getPrivate(), Set.of(2)));
        assertEquals(SignatureScheme.RSA_PSS_SHA256, SignatureScheme.forKey(rsa.getPrivate(), Set.of(2, 4)));
        assertEquals(SignatureScheme.RSA_PSS_SHA512, SignatureScheme.forKey(rsa.getPrivate(), Set.of(4)));
        assertEquals(SignatureScheme.ED25519, SignatureScheme.forKey(ed25519.getPrivate(), Set.of(2, 5)));
        assertEquals(SignatureScheme.ECDSA_SHA256, SignatureScheme.forKey(p256.getPrivate(), Set.of()));
        assertThrows(IllegalArgumentException.class, () -> SignatureScheme.forKey(ed25519.getPrivate(), Set.of(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> SignatureScheme.forKey(p256.getPrivate(), Set.of(5)));
    }

    static PublicKey ed25519PublicKey(byte[] encoded) throws Exception {
        byte[] reversed = new byte[32];
        for (int i = 0; i < 32; i++) {
            reversed[i] = encoded[31 - i];
        }
        boolean xOdd = (reversed[0] & 0x80) != 0;
        reversed[0] &= 0x7f;
        EdECPoint point = new EdECPoint(xOdd, new java.math.BigInteger(1, reversed));
        return KeyFactory.getInstance("Ed25519")
                .generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
    }

    private static KeyPair keysFor(SignatureScheme scheme) {
        return switch (scheme) {
            case ECDSA_SHA256, ECDSA_SHA512 -> p256;
            case ECDSA_SHA384 -> p384;
            case RSA_PSS_SHA256, RSA_PSS_SHA384, RSA_PSS_SHA512 -> rsa;
            case ED25519 -> ed25519;
        };
    }

    private static KeyPair otherKeyOfSameType(SignatureScheme scheme) {
        try {
            return switch (scheme) {
                case ECDSA_SHA256, ECDSA_SHA512 -> ec("secp256r1");
                case ECDSA_SHA384 -> ec("secp384r1");
                case RSA_PSS_SHA256, RSA_PSS_SHA384, RSA_PSS_SHA512 -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(1024);
                    yield generator.generateKeyPair();
                }
                case ED25519 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }
}
