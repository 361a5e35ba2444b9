package net.ipsecgw.ike.crypto.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/**
 * The key types the certificate authority issues, each with the signature algorithm a certificate signed
 * by such a key carries (RFC 5758 §3.2 for ECDSA, RFC 4055 §5 for RSA, RFC 8410 §3 for Ed25519). All of
 * them can sign IKEv2 AUTH data with RFC 7427. Immutable.
 */
public enum KeyKind {
    /** ECDSA on P-256; certificates signed with ecdsa-with-SHA256. */
    ECDSA_P256("SHA256withECDSA"),
    /** ECDSA on P-384; certificates signed with ecdsa-with-SHA384. */
    ECDSA_P384("SHA384withECDSA"),
    /** RSA with a 3072-bit modulus (any size when imported); certificates signed with sha256WithRSAEncryption. */
    RSA_3072("SHA256withRSA"),
    /** Ed25519; certificates signed with id-Ed25519. */
    ED25519("Ed25519");

    private final String certificateSignatureAlgorithm;

    KeyKind(String certificateSignatureAlgorithm) {
        this.certificateSignatureAlgorithm = certificateSignatureAlgorithm;
    }

    /** The JCA name of the algorithm a key of this kind signs certificates with. */
    String certificateSignatureAlgorithm() {
        return certificateSignatureAlgorithm;
    }

    /** The kind of an existing private key: EC on P-256 or P-384, RSA of any size, or Ed25519. */
    static KeyKind of(java.security.PrivateKey key) {
        if (key instanceof java.security.interfaces.ECKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits == 256 || bits == 384) {
                return bits == 256 ? ECDSA_P256 : ECDSA_P384;
            }
        } else if (key instanceof java.security.interfaces.RSAKey) {
            return RSA_3072;
        } else if (key instanceof java.security.interfaces.EdECKey ed
                && "Ed25519".equalsIgnoreCase(ed.getParams().getName())) {
            return ED25519;
        }
        throw new IllegalArgumentException("cannot sign certificates with a " + key.getAlgorithm() + " key");
    }

    /** A new key pair of this kind from the JDK's generators, drawing on {@code random}. */
    KeyPair generate(SecureRandom random) {
        try {
            return switch (this) {
                case ECDSA_P256, ECDSA_P384 -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(
                            new ECGenParameterSpec(this == ECDSA_P256 ? "secp256r1" : "secp384r1"), random);
                    yield generator.generateKeyPair();
                }
                case RSA_3072 -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(3072, random);
                    yield generator.generateKeyPair();
                }
                case ED25519 -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
                    generator.initialize(255, random);
                    yield generator.generateKeyPair();
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(this + " key generation is not available from the JDK", e);
        }
    }
}
