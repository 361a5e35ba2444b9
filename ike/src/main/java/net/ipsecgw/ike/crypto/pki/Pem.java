package net.ipsecgw.ike.crypto.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM (RFC 7468) for the certificates and private keys the appliance imports and exports and strongSwan
 * reads in interop tests: certificates as {@code CERTIFICATE}, private keys written as unencrypted PKCS#8
 * {@code PRIVATE KEY} (RFC 7468 §10) and read from PKCS#8 or from OpenSSL's traditional {@code EC PRIVATE
 * KEY} / {@code RSA PRIVATE KEY}. Encrypted keys are refused. Lines are 64 characters, ending in LF.
 *
 * <p>Stateless and thread-safe.
 */
public final class Pem {
    private static final Map<ASN1ObjectIdentifier, String> KEY_ALGORITHMS = Map.of(
            X9ObjectIdentifiers.id_ecPublicKey, "EC",
            PKCSObjectIdentifiers.rsaEncryption, "RSA",
            PKCSObjectIdentifiers.id_RSASSA_PSS, "RSASSA-PSS",
            EdECObjectIdentifiers.id_Ed25519, "Ed25519",
            EdECObjectIdentifiers.id_Ed448, "Ed448");

    private Pem() {}

    /** One certificate as a {@code CERTIFICATE} block. */
    public static String writeCertificate(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    /** Certificates as consecutive {@code CERTIFICATE} blocks, in order (end entity first for a chain). */
    public static String writeCertificates(List<X509Certificate> certificates) {
        StringBuilder out = new StringBuilder();
        certificates.forEach(cert -> out.append(writeCertificate(cert)));
        return out.toString();
    }

    /**
     * Every certificate in {@code pem}, in order; text outside the blocks is ignored.
     *
     * @throws CertificateException if a block is not a certificate
     */
    public static List<X509Certificate> readCertificates(String pem) throws CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        return factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                .map(X509Certificate.class::cast)
                .toList();
    }

    /**
     * The one certificate in {@code pem}.
     *
     * @throws CertificateException if there is not exactly one
     */
    public static X509Certificate readCertificate(String pem) throws CertificateException {
        List<X509Certificate> certificates = readCertificates(pem);
        if (certificates.size() != 1) {
            throw new CertificateException("expected one certificate, found " + certificates.size());
        }
        return certificates.getFirst();
    }

    /** A private key as an unencrypted PKCS#8 {@code PRIVATE KEY} block. */
    public static String writePrivateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("a " + key.getAlgorithm() + " key in " + key.getFormat() + " format");
        }
        return block("PRIVATE KEY", key.getEncoded());
    }

    /**
     * The first private key in {@code pem}: PKCS#8 {@code PRIVATE KEY}, {@code EC PRIVATE KEY} or {@code RSA
     * PRIVATE KEY}; EC, RSA, RSASSA-PSS, Ed25519 and Ed448 keys.
     *
     * @throws IOException if there is no private key, it is encrypted, or it cannot be decoded
     */
    public static PrivateKey readPrivateKey(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IOException("encrypted private keys are not supported; decrypt it first");
                }
                if (object instanceof PEMKeyPair pair) {
                    return privateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PrivateKeyInfo info) {
                    return privateKey(info);
                }
            }
        }
        throw new IOException("no private key in the PEM text");
    }

    private static PrivateKey privateKey(PrivateKeyInfo info) throws IOException {
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm = KEY_ALGORITHMS.get(oid);
        if (algorithm == null) {
            throw new IOException("unsupported private key algorithm " + oid);
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException("the " + algorithm + " private key cannot be decoded: " + e.getMessage(), e);
        }
    }

    private static String block(String label, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
    }
}
