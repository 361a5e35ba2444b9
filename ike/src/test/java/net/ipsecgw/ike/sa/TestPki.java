package net.ipsecgw.ike.sa;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.crypto.pki.CertificateAuthority;
import net.ipsecgw.ike.crypto.pki.IssuedCertificate;
import net.ipsecgw.ike.crypto.pki.KeyKind;
import net.ipsecgw.ike.crypto.pki.Pem;

/**
 * Certificates for exchange tests, issued by the project's {@link CertificateAuthority}: a root CA of
 * one key kind, optionally an intermediate CA, and gateway certificates for A and B whose subject DN
 * and dNSName subjectAltName each name the gateway. Keys are costly (RSA-3072 most), so each kind's
 * set is made once per JVM and shared; PEM files are written where a test says.
 */
final class TestPki {
    static final String FQDN_A = "gw-a.example.net";
    static final String FQDN_B = "gw-b.example.net";
    static final String DN_A = "C=CH, O=Example, CN=" + FQDN_A;
    static final String DN_B = "C=CH, O=Example, CN=" + FQDN_B;
    private static final Duration YEAR = Duration.ofDays(365);
    private static final Map<String, TestPki> MADE = new ConcurrentHashMap<>();

    final KeyKind kind;
    final CertificateAuthority root;
    final List<X509Certificate> intermediates;
    final IssuedCertificate gatewayA;
    final IssuedCertificate gatewayB;

    private TestPki(KeyKind kind, String rootName, boolean withIntermediate) {
        this.kind = kind;
        root = CertificateAuthority.create(
                "C=CH, O=Example, CN=" + rootName, kind, YEAR, TwoPeers.seeded(rootName.hashCode()));
        CertificateAuthority issuer = root;
        List<X509Certificate> chain = new ArrayList<>();
        if (withIntermediate) {
            issuer = root.issueSubordinate("C=CH, O=Example, CN=" + rootName + " Intermediate", kind, YEAR);
            chain.add(issuer.certificate());
        }
        intermediates = List.copyOf(chain);
        gatewayA = issuer.issue(DN_A, List.of("dns:" + FQDN_A), kind, YEAR);
        gatewayB = issuer.issue(DN_B, List.of("dns:" + FQDN_B), kind, YEAR);
    }

    /** The shared set of this kind under the root named {@code rootName}. */
    static TestPki of(KeyKind kind, String rootName, boolean withIntermediate) {
        return MADE.computeIfAbsent(
                kind + "/" + rootName + "/" + withIntermediate, k -> new TestPki(kind, rootName, withIntermediate));
    }

    /** A certificate for {@code dn} from this set's issuer that expired an hour ago. */
    IssuedCertificate expired(String dn, String fqdn) {
        return root.issue(dn, List.of("dns:" + fqdn), kind, Duration.ofHours(-1));
    }

    /** Files of one gateway: its certificate (then the intermediates), its key, and the trusted root. */
    record Files3(Path certificate, Path privateKey, Path ca) {}

    /** Writes {@code gateway}'s chain and key and {@code trusted}'s root certificate as PEM into {@code dir}. */
    Files3 write(Path dir, String name, IssuedCertificate gateway, TestPki trusted) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(gateway.certificate());
        chain.addAll(intermediates);
        try {
            Path cert = Files.writeString(dir.resolve(name + ".crt"), Pem.writeCertificates(chain));
            Path key = Files.writeString(dir.resolve(name + ".key"), Pem.writePrivateKey(gateway.privateKey()));
            Path ca = Files.writeString(
                    dir.resolve(name + "-trusts.crt"), Pem.writeCertificate(trusted.root.certificate()));
            return new Files3(cert, key, ca);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PUBKEY connection to {@code peer} with these identities and files. */
    static ConnectionConfig connection(InetAddress peer, String localId, String remoteId, Files3 files) {
        return ConnectionConfig.builder("site")
                .remoteAddress(peer.getHostAddress())
                .localId(localId)
                .remoteId(remoteId)
                .auth(ConnectionConfig.AuthMethod.PUBKEY)
                .certificate(files.certificate().toString())
                .privateKey(files.privateKey().toString())
                .caCertificates(List.of(files.ca().toString()))
                .localTs(List.of(peer.equals(TwoPeers.B) ? "10.1.0.0/16" : "10.2.0.0/16"))
                .remoteTs(List.of(peer.equals(TwoPeers.B) ? "10.2.0.0/16" : "10.1.0.0/16"))
                .perCpuSas(true)
                .multiport(true)
                .startAction(ConnectionConfig.StartAction.NONE)
                .build();
    }
}
