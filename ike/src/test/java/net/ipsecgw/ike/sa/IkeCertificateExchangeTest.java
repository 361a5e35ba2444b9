package net.ipsecgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.crypto.SignatureScheme;
import net.ipsecgw.ike.crypto.pki.IssuedCertificate;
import net.ipsecgw.ike.crypto.pki.KeyKind;
import net.ipsecgw.ike.message.AuthMethod;
import net.ipsecgw.ike.message.AuthPayload;
import net.ipsecgw.ike.message.CertPayload;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.IkeMessage;
import net.ipsecgw.ike.message.NotifyType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * IKE_AUTH with X.509 certificates and RFC 7427 digital signatures between two in-process peers: the
 * certificates come from the project's CA as PEM files, the connections are PUBKEY with FQDN or DN
 * identities. A peer that cannot prove its identity with a certificate the other side trusts is
 * refused with AUTHENTICATION_FAILED and nothing is installed.
 *
 * <pre>
 *   HDR, SAi1, KEi, Ni, N(FRAG_SUP), N(SIGNATURE_HASH_ALGS)  --&gt;
 *                          &lt;--  HDR, SAr1, KEr, Nr, CERTREQ, N(FRAG_SUP), N(SIGNATURE_HASH_ALGS)
 *   HDR, SK{IDi, CERT, CERTREQ, IDr, AUTH(14), SAi2, TSi, TSr}  --&gt;
 *                                      &lt;--  HDR, SK{IDr, CERT, AUTH(14), SAr2, TSi, TSr}
 * </pre>
 */
@Timeout(120)
@ExtendWith(NoLeaks.class)
class IkeCertificateExchangeTest {
    @TempDir
    Path dir;

    private final List<TwoPeers> opened = new ArrayList<>();

    @AfterEach
    void closePeers() {
        opened.forEach(TwoPeers::close);
        opened.clear();
    }

    private TwoPeers peers(ConnectionConfig atA, ConnectionConfig atB) {
        TwoPeers peers = new TwoPeers(1, 1, atA, atB);
        opened.add(peers);
        return peers;
    }

    @ParameterizedTest(name = "{0}, {1} identities")
    @CsvSource({
        "ECDSA_P256, FQDN, ECDSA_SHA256",
        "ECDSA_P256, DN, ECDSA_SHA256",
        "ECDSA_P384, FQDN, ECDSA_SHA384",
        "RSA_3072, FQDN, RSA_PSS_SHA256",
        "RSA_3072, DN, RSA_PSS_SHA256",
        "ED25519, FQDN, ED25519",
        "ED25519, DN, ED25519"
    })
    void tunnelComesUpWithCertificatesAndSignatureAuthentication(KeyKind kind, String idType, SignatureScheme scheme)
            throws Exception {
        // RSA keys are the costly ones: share the chain (with an intermediate) the fragmentation test uses.
        TestPki pki = TestPki.of(kind, "Root " + kind, kind == KeyKind.RSA_3072);
        boolean dn = idType.equals("DN");
        String idA = dn ? TestPki.DN_A : TestPki.FQDN_A;
        String idB = dn ? TestPki.DN_B : TestPki.FQDN_B;
        ConnectionConfig atA = TestPki.connection(TwoPeers.B, idA, idB, pki.write(dir, "a", pki.gatewayA, pki));
        ConnectionConfig atB = TestPki.connection(TwoPeers.A, idB, idA, pki.write(dir, "b", pki.gatewayB, pki));
        TwoPeers peers = peers(atA, atB);
        peers.a.initiate("site");
        peers.deliverAll();

        IkeSa saA = peers.a.current("site");
        IkeSa saB = peers.b.current("site");
        assertNotNull(saA, peers.events.toString());
        assertEquals(IkeSa.State.ESTABLISHED, saA.state(), peers.events.toString());
        assertEquals(IkeSa.State.ESTABLISHED, saB.state());
        assertTrue(saB.remoteIdentity().contains(dn ? "CN=" + TestPki.FQDN_A : TestPki.FQDN_A), saB.remoteIdentity());
        assertTrue(saA.remoteIdentity().contains(dn ? "CN=" + TestPki.FQDN_B : TestPki.FQDN_B), saA.remoteIdentity());
        assertEquals(2, peers.planeA.installed.size(), "the fallback pair and one per-CPU pair");
        peers.assertPairsMirror();

        // Both AUTH payloads are RFC 7427 signatures with the scheme the key calls for, and each
        // side sent its certificate.
        IkeMessage request = authMessage(peers, false, saB);
        IkeMessage response = authMessage(peers, true, saA);
        for (IkeMessage auth : List.of(request, response)) {
            AuthPayload payload = auth.first(AuthPayload.class).orElseThrow();
            assertEquals(AuthMethod.DIGITAL_SIGNATURE, payload.method());
            byte[] identifier = scheme.algorithmIdentifier();
            assertEquals(identifier.length, payload.data()[0]);
            assertArrayEquals(identifier, Arrays.copyOfRange(payload.data(), 1, 1 + identifier.length));
        }
        assertArrayEquals(
                pki.gatewayA.certificate().getEncoded(),
                request.first(CertPayload.class).orElseThrow().data());
        assertArrayEquals(
                pki.gatewayB.certificate().getEncoded(),
                response.first(CertPayload.class).orElseThrow().data());
    }

    @Test
    void initiatorWithACertificateFromAnotherCaIsRefusedWithAuthenticationFailed() {
        TestPki pki = TestPki.of(KeyKind.ECDSA_P256, "Root ECDSA_P256", false);
        TestPki other = TestPki.of(KeyKind.ECDSA_P256, "Other Root", false);
        // A's certificate is from the other CA, which B does not trust.
        ConnectionConfig atA = TestPki.connection(
                TwoPeers.B, TestPki.FQDN_A, TestPki.FQDN_B, other.write(dir, "a", other.gatewayA, pki));
        ConnectionConfig atB =
                TestPki.connection(TwoPeers.A, TestPki.FQDN_B, TestPki.FQDN_A, pki.write(dir, "b", pki.gatewayB, pki));
        TwoPeers peers = peers(atA, atB);
        peers.a.initiate("site");
        // HDR, SK{IDi, CERT(other CA), IDr, AUTH, ...}  -->  <--  HDR, SK{N(AUTHENTICATION_FAILED)}
        peers.deliverAll();

        assertRefusedByB(peers, "certificate rejected");
    }

    @Test
    void initiatorClaimingAnIdentityItsCertificateDoesNotHoldIsRefusedWithAuthenticationFailed() {
        TestPki pki = TestPki.of(KeyKind.ECDSA_P256, "Root ECDSA_P256", false);
        // A claims gw-x, and B expects gw-x, but A's certificate names gw-a only.
        ConnectionConfig atA = TestPki.connection(
                TwoPeers.B, "gw-x.example.net", TestPki.FQDN_B, pki.write(dir, "a", pki.gatewayA, pki));
        ConnectionConfig atB = TestPki.connection(
                TwoPeers.A, TestPki.FQDN_B, "gw-x.example.net", pki.write(dir, "b", pki.gatewayB, pki));
        TwoPeers peers = peers(atA, atB);
        peers.a.initiate("site");
        peers.deliverAll();

        assertRefusedByB(peers, "is not in the certificate");
    }

    @Test
    void initiatorWithAnExpiredCertificateIsRefusedWithAuthenticationFailed() {
        TestPki pki = TestPki.of(KeyKind.ED25519, "Root ED25519", false);
        IssuedCertificate expired = pki.expired(TestPki.DN_A, TestPki.FQDN_A);
        ConnectionConfig atA =
                TestPki.connection(TwoPeers.B, TestPki.FQDN_A, TestPki.FQDN_B, pki.write(dir, "a", expired, pki));
        ConnectionConfig atB =
                TestPki.connection(TwoPeers.A, TestPki.FQDN_B, TestPki.FQDN_A, pki.write(dir, "b", pki.gatewayB, pki));
        TwoPeers peers = peers(atA, atB);
        peers.a.initiate("site");
        peers.deliverAll();

        assertRefusedByB(peers, "expired");
    }

    @Test
    void responderWithACertificateFromAnotherCaIsRefusedByTheInitiatorAndDeadPeerDetectionClearsIt() {
        TestPki pki = TestPki.of(KeyKind.ECDSA_P256, "Root ECDSA_P256", false);
        TestPki other = TestPki.of(KeyKind.ECDSA_P256, "Other Root", false);
        ConnectionConfig atA =
                TestPki.connection(TwoPeers.B, TestPki.FQDN_A, TestPki.FQDN_B, pki.write(dir, "a", pki.gatewayA, pki));
        ConnectionConfig atB = TestPki.connection(
                TwoPeers.A, TestPki.FQDN_B, TestPki.FQDN_A, other.write(dir, "b", other.gatewayB, pki));
        TwoPeers peers = peers(atA, atB);
        peers.a.initiate("site");
        // HDR, SK{IDi, CERT, IDr, AUTH, ...}  -->  <--  HDR, SK{IDr, CERT(other CA), AUTH, ...}
        // A cannot trust B's certificate: it installs nothing and forgets the IKE SA. B, which had
        // authenticated A, established its side on answering; it learns nothing (the notify in a
        // separate INFORMATIONAL is a MAY, RFC 7296 §2.21.2, and is not sent).
        peers.deliverAll();

        assertTrue(peers.a.ikeSas().isEmpty());
        assertTrue(peers.planeA.installed.isEmpty());
        assertTrue(
                peers.events.stream().anyMatch(e -> e.contains("responder's authentication failed")),
                peers.events.toString());
        assertEquals(IkeSa.State.ESTABLISHED, peers.b.current("site").state());

        // B's liveness checks go to an SPI that A no longer knows: dropped, unanswered, until B gives up.
        peers.run(Duration.ofMinutes(5));
        assertTrue(peers.b.ikeSas().isEmpty(), peers.b.ikeSas().toString());
        assertTrue(peers.planeB.installed.isEmpty());
        assertTrue(peers.a.counters().drops("unknown_spi") > 0);
    }

    private static void assertRefusedByB(TwoPeers peers, String reason) {
        RecordingDataPlane.Datagram last = peers.delivered.getLast();
        assertEquals(ExchangeType.IKE_AUTH, TwoPeers.exchange(last));
        assertTrue(TwoPeers.isResponse(last));
        assertTrue(
                peers.events.contains("10.0.0.2: IKE_AUTH answered " + NotifyType.AUTHENTICATION_FAILED),
                peers.events.toString());
        assertTrue(peers.events.stream().anyMatch(e -> e.contains(reason)), peers.events.toString());
        assertTrue(peers.a.ikeSas().isEmpty(), "A gave up");
        assertTrue(peers.planeA.installed.isEmpty());
        assertTrue(peers.planeB.installed.isEmpty());
        assertTrue(peers.b.ikeSas().stream().noneMatch(sa -> sa.state() == IkeSa.State.ESTABLISHED));
    }

    /** The IKE_AUTH request or response, as its receiver decrypted it (reassembled if fragmented). */
    static IkeMessage authMessage(TwoPeers peers, boolean response, IkeSa receiver) {
        List<RecordingDataPlane.Datagram> parts = peers.delivered.stream()
                .filter(d -> TwoPeers.exchange(d).equals(ExchangeType.IKE_AUTH) && TwoPeers.isResponse(d) == response)
                .toList();
        net.ipsecgw.ike.message.FragmentReassembler reassembler = new net.ipsecgw.ike.message.FragmentReassembler();
        for (RecordingDataPlane.Datagram part : parts) {
            IkeMessage message =
                    IkeMessage.decode(Unpooled.wrappedBuffer(part.bytes())).orElseThrow();
            if (!message.isFragment()) {
                return message.decrypt(receiver.receiveCipher()).orElseThrow();
            }
            var whole = reassembler.offer(message, receiver.receiveCipher());
            if (whole.isPresent()) {
                return whole.get().orElseThrow();
            }
        }
        throw new AssertionError("no complete IKE_AUTH " + (response ? "response" : "request"));
    }
}
