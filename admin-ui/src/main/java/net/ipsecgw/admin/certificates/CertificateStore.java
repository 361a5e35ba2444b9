package net.ipsecgw.admin.certificates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import net.ipsecgw.admin.system.AtomicFiles;
import net.ipsecgw.ike.crypto.pki.Pem;

/**
 * The appliance's certificates, one PEM file per certificate ({@code NAME.crt.pem}) and, for those it
 * generated, the private key beside it ({@code NAME.key.pem}, owner-only), in one directory. Keys are
 * never handed out. Every file is written atomically. Any thread.
 */
public final class CertificateStore {
    private static final String CERT = ".crt.pem";
    private static final String KEY = ".key.pem";
    private static final String NAME = "[A-Za-z0-9_.-]{1,64}";

    private final Path directory;

    /** Certificates in {@code directory} (created when first written). */
    public CertificateStore(Path directory) {
        this.directory = directory;
    }

    /** Every certificate, by name. */
    public List<CertificateInfo> list() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(CERT))
                    .sorted()
                    .map(f -> info(nameOf(f)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The certificate named {@code name} in PEM. */
    public String pem(String name) {
        try {
            return Files.readString(certFile(checkName(name)));
        } catch (IOException e) {
            throw new java.util.NoSuchElementException("no certificate named '" + name + "'");
        }
    }

    /**
     * Stores the PEM certificate(s) {@code pem} under {@code name}.
     *
     * @throws IllegalArgumentException when the name is taken or bad, or the text holds no certificate
     */
    public CertificateInfo importPem(String name, String pem) {
        checkNew(name);
        Collection<X509Certificate> parsed = parse(pem);
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("the text holds no PEM certificate");
        }
        write(certFile(name), pem);
        return info(name);
    }

    /** Generates a CA named {@code name}, keeping its key to issue certificates with. */
    public CertificateInfo createAuthority(String name, String commonName, Duration validity) {
        checkNew(name);
        store(name, X509Factory.certificateAuthority(commonName, validity));
        return info(name);
    }

    /** Issues a certificate (with a new key) from the stored CA {@code ca}. */
    public CertificateInfo issue(String name, String ca, String commonName, List<String> sans, Duration validity) {
        checkNew(name);
        X509Factory.Issued authority = new X509Factory.Issued(certificate(checkName(ca)), privateKey(ca));
        store(name, X509Factory.issue(authority, commonName, sans, validity));
        return info(name);
    }

    /** Where the certificate file of {@code name} is (for connections that use it). */
    public Path certificatePath(String name) {
        return certFile(checkName(name));
    }

    private void store(String name, X509Factory.Issued issued) {
        write(keyFile(name), issued.privateKeyPem());
        write(certFile(name), issued.certificatePem());
    }

    private CertificateInfo info(String name) {
        X509Certificate cert = certificate(name);
        return new CertificateInfo(
                name,
                cert.getSubjectX500Principal().getName(),
                cert.getIssuerX500Principal().getName(),
                cert.getSerialNumber().toString(16),
                cert.getNotBefore().toInstant(),
                cert.getNotAfter().toInstant(),
                cert.getBasicConstraints() >= 0,
                Files.exists(keyFile(name)),
                fingerprint(cert));
    }

    private X509Certificate certificate(String name) {
        Collection<X509Certificate> certs = parse(pem(name));
        if (certs.isEmpty()) {
            throw new IllegalStateException(certFile(name) + " holds no certificate");
        }
        return certs.iterator().next();
    }

    private PrivateKey privateKey(String name) {
        Path file = keyFile(name);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("'" + name + "' has no private key here: it cannot issue certificates");
        }
        try {
            return Pem.readPrivateKey(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key of " + name, e);
        }
    }

    private static Collection<X509Certificate> parse(String pem) {
        try {
            return Pem.readCertificates(pem);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage());
        }
    }

    private static String fingerprint(X509Certificate cert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void checkNew(String name) {
        if (Files.exists(certFile(checkName(name)))) {
            throw new IllegalArgumentException("'" + name + "' is already a certificate");
        }
    }

    private static String checkName(String name) {
        if (name == null || !name.matches(NAME)) {
            throw new IllegalArgumentException("a certificate name is 1-64 letters, digits, '_', '.' or '-'");
        }
        return name;
    }

    private static void write(Path file, String text) {
        try {
            AtomicFiles.replace(file, text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private Path certFile(String name) {
        return directory.resolve(name + CERT);
    }

    private Path keyFile(String name) {
        return directory.resolve(name + KEY);
    }

    private static String nameOf(Path file) {
        String fileName = file.getFileName().toString();
        return fileName.substring(0, fileName.length() - CERT.length());
    }
}
