package net.ipsecgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.IkeSettings;
import net.ipsecgw.ike.crypto.pki.KeyKind;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.PayloadType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * IKE fragmentation (RFC 7383) in a real exchange: RSA-3072 certificates with an intermediate CA make
 * IKE_AUTH several kilobytes each way, and a fragment size of 576 forces both messages into SKF
 * fragments; lost fragments are recovered by retransmission, damaged ones are dropped and counted.
 *
 * <pre>
 *   HDR, SAi1, KEi, Ni, N(IKEV2_FRAGMENTATION_SUPPORTED)  --&gt;
 *                              &lt;--  HDR, SAr1, KEr, Nr, N(IKEV2_FRAGMENTATION_SUPPORTED)
 *   HDR, SKF(1/n){IDi, CERT, CERT, ...}, ..., HDR, SKF(n/n){..., AUTH, SAi2, TSi, TSr}  --&gt;
 *                              &lt;--  HDR, SKF(1/m){IDr, CERT, CERT, ...}, ..., HDR, SKF(m/m){...}
 * </pre>
 */
@Timeout(120)
@ExtendWith(NoLeaks.class)
class IkeFragmentationExchangeTest {
    private static final int FRAGMENT_SIZE = 576;
    private static final IkeSettings SMALL_FRAGMENTS =
            new IkeSettings(null, null, null, null, FRAGMENT_SIZE, null, null, null);

    @TempDir
    Path dir;

    private final List<TwoPeers> opened = new ArrayList<>();

    @AfterEach
    void closePeers() {
        opened.forEach(TwoPeers::close);
        opened.clear();
    }

    private TwoPeers peers() {
        TestPki pki = TestPki.of(KeyKind.RSA_3072, "Root RSA_3072", true);
        ConnectionConfig atA =
                TestPki.connection(TwoPeers.B, TestPki.FQDN_A, TestPki.FQDN_B, pki.write(dir, "a", pki.gatewayA, pki));
        ConnectionConfig atB =
                TestPki.connection(TwoPeers.A, TestPki.FQDN_B, TestPki.FQDN_A, pki.write(dir, "b", pki.gatewayB, pki));
        TwoPeers peers = new TwoPeers(1, 1, atA, atB, SMALL_FRAGMENTS);
        opened.add(peers);
        return peers;
    }

    @Test
    void ikeAuthTravelsInFragmentsNoLargerThanTheFragmentSizeAndTheTunnelComesUp() {
        TwoPeers peers = peers();
        peers.a.initiate("site");
        peers.deliverAll();

        assertEstablished(peers);
        for (boolean response : List.of(false, true)) {
            List<RecordingDataPlane.Datagram> auth = ikeAuth(peers, response);
            assertTrue(auth.size() >= 4, auth.size() + " fragments");
            for (RecordingDataPlane.Datagram fragment : auth) {
                assertEquals(PayloadType.SKF.value(), fragment.bytes()[16] & 0xff, "an SKF fragment");
                assertTrue(fragment.bytes().length <= FRAGMENT_SIZE, fragment.bytes().length + " bytes");
            }
        }
        // The reassembled messages carry the whole chain: end entity and intermediate.
        IkeSa atB = peers.b.current("site");
        assertEquals(
                2,
                IkeCertificateExchangeTest.authMessage(peers, false, atB)
                        .payloads(net.ipsecgw.ike.message.CertPayload.class)
                        .size());
    }

    @Test
    void aLostFragmentOfTheRequestIsRecoveredByTheRetransmission() {
        TwoPeers peers = peers();
        peers.drop = firstTime(d -> TwoPeers.exchange(d).equals(ExchangeType.IKE_AUTH)
                && !TwoPeers.isResponse(d)
                && fragmentNumber(d) == 2);
        peers.a.initiate("site");
        peers.deliverAll();
        assertEquals(IkeSa.State.CONNECTING, peers.a.current("site").state(), "B waits for fragment 2");

        peers.run(Duration.ofSeconds(5)); // A retransmits every fragment after 4 s; B fills the gap
        assertEstablished(peers);
    }

    @Test
    void aLostFragmentOfTheResponseIsRecoveredByTheRetransmission() {
        TwoPeers peers = peers();
        peers.drop = firstTime(d ->
                TwoPeers.exchange(d).equals(ExchangeType.IKE_AUTH) && TwoPeers.isResponse(d) && fragmentNumber(d) == 3);
        peers.a.initiate("site");
        peers.deliverAll();
        assertEquals(IkeSa.State.CONNECTING, peers.a.current("site").state(), "A waits for fragment 3");

        // A retransmits its request; B recognises it once reassembled and resends its cached fragments.
        peers.run(Duration.ofSeconds(5));
        assertEstablished(peers);
        assertEquals(1, peers.planeB.fallbackCount(), "B installed the first pair once");
    }

    @Test
    void everyDamagedCopyOfEachFragmentIsDroppedAndCountedAndTheTunnelComesUp() {
        TwoPeers peers = peers();
        DatagramFuzzer fuzzer = new DatagramFuzzer(peers);
        peers.beforeDelivery = d -> {
            if (TwoPeers.exchange(d).equals(ExchangeType.IKE_AUTH)) {
                fuzzer.damage(d);
            }
        };
        peers.a.initiate("site");
        peers.deliverAll();
        peers.beforeDelivery = d -> {};

        List<String> problems = fuzzer.unaccounted();
        assertTrue(
                problems.isEmpty(),
                problems.size() + " problems: " + problems.subList(0, Math.min(20, problems.size())));
        assertTrue(fuzzer.copies() > 10_000, fuzzer.copies() + " copies");
        assertTrue(peers.b.counters().drops("bad_icv") > 0);
        assertEquals(0, peers.b.counters().drops("internal_error"));
        assertEquals(0, peers.a.counters().drops("internal_error"));
        assertEstablished(peers);
    }

    private static void assertEstablished(TwoPeers peers) {
        assertEquals(IkeSa.State.ESTABLISHED, peers.a.current("site").state(), peers.events.toString());
        assertEquals(IkeSa.State.ESTABLISHED, peers.b.current("site").state());
        assertEquals(1, peers.a.ikeSas().size());
        assertEquals(1, peers.b.ikeSas().size());
        assertEquals(2, peers.planeA.installed.size());
        peers.assertPairsMirror();
    }

    private static List<RecordingDataPlane.Datagram> ikeAuth(TwoPeers peers, boolean response) {
        return peers.delivered.stream()
                .filter(d -> TwoPeers.exchange(d).equals(ExchangeType.IKE_AUTH) && TwoPeers.isResponse(d) == response)
                .toList();
    }

    /** The Fragment Number of an SKF message that has SKF as its first payload, else 0. */
    private static int fragmentNumber(RecordingDataPlane.Datagram d) {
        byte[] b = d.bytes();
        boolean skf = (b[16] & 0xff) == PayloadType.SKF.value();
        return skf ? ((b[32] & 0xff) << 8) | (b[33] & 0xff) : 0;
    }

    /** True for the first datagram that matches, false for every other. */
    private static Predicate<RecordingDataPlane.Datagram> firstTime(Predicate<RecordingDataPlane.Datagram> match) {
        AtomicInteger seen = new AtomicInteger();
        return d -> match.test(d) && seen.getAndIncrement() == 0;
    }
}
