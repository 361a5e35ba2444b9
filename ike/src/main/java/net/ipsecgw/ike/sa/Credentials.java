package net.ipsecgw.ike.sa;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.ike.config.ConfigValueException;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.crypto.IkeIdentity;
import net.ipsecgw.ike.crypto.pki.CertificateValidator;
import net.ipsecgw.ike.crypto.pki.Pem;
import net.ipsecgw.ike.message.CertReqPayload;

/**
 * What a connection proves and checks identities with: both identities, and either the pre-shared
 * key or this side's certificate chain, private key and the peer's trust anchors. Loaded once when
 * the connection is configured, so that a missing or unreadable file stops start-up, not a handshake.
 *
 * @param localId the identity this side sends
 * @param remoteId the identity the peer must prove ({@code %any} matches any)
 * @param psk the pre-shared key, or null
 * @param privateKey this side's private key, or null with a PSK
 * @param chain this side's certificate, then intermediates; empty with a PSK
 * @param validator checks the peer's chain against the trust anchors; null with a PSK
 * @param anchors the peer's trust anchors (named in CERTREQ payloads); empty with a PSK
 */
record Credentials(
        IkeIdentity localId,
        IkeIdentity remoteId,
        byte[] psk,
        PrivateKey privateKey,
        List<X509Certificate> chain,
        CertificateValidator validator,
        List<X509Certificate> anchors) {

    /** True when both sides authenticate with the pre-shared key. */
    boolean usesPsk() {
        return psk != null;
    }

    /**
     * Loads a connection's credentials.
     *
     * @param defaultLocalId the identity to use when the connection names none (the black address)
     * @throws ConfigValueException naming the key whose file cannot be read or whose identity is invalid
     */
    static Credentials load(ConnectionConfig connection, String defaultLocalId) {
        IkeIdentity local = identity("local-id", connection.localId() == null ? defaultLocalId : connection.localId());
        IkeIdentity remote = identity("remote-id", connection.remoteId());
        if (connection.auth() == ConnectionConfig.AuthMethod.PSK) {
            return new Credentials(local, remote, connection.psk().bytes(), null, List.of(), null, List.of());
        }
        List<X509Certificate> chain =
                read("certificate", connection.certificate(), f -> Pem.readCertificates(Files.readString(f)));
        PrivateKey key = read("private-key", connection.privateKey(), f -> Pem.readPrivateKey(Files.readString(f)));
        List<X509Certificate> anchors = new ArrayList<>();
        for (String file : connection.caCertificates()) {
            anchors.addAll(read("ca-certificates", file, f -> Pem.readCertificates(Files.readString(f))));
        }
        return new Credentials(
                local, remote, null, key, chain, new CertificateValidator(anchors), List.copyOf(anchors));
    }

    /**
     * The CERTREQ payload naming the trust anchors: SHA-1 hashes of their SubjectPublicKeyInfo (RFC
     * 7296 §3.7). Peers such as strongSwan send their certificate only when asked for it.
     */
    CertReqPayload certificateRequest() {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            ByteArrayOutputStream hashes = new ByteArrayOutputStream();
            for (X509Certificate anchor : anchors) {
                hashes.writeBytes(sha1.digest(anchor.getPublicKey().getEncoded()));
            }
            return new CertReqPayload(CertReqPayload.X509_SIGNATURE, hashes.toByteArray());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static IkeIdentity identity(String key, String text) {
        try {
            return IkeIdentity.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigValueException(key, "'" + text + "' is not an identity: " + e.getMessage());
        }
    }

    private interface Reader<T> {
        T read(Path file) throws IOException, java.security.GeneralSecurityException;
    }

    private static <T> T read(String key, String file, Reader<T> reader) {
        try {
            return reader.read(Path.of(file));
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            throw new ConfigValueException(key, "cannot read " + file + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Credentials[local=" + localId + ", remote=" + remoteId + ", " + (usesPsk() ? "psk" : "pubkey") + "]";
    }
}
