package net.ipsecgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.IkeSettings;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.message.ExchangeType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * IKEv2 exchanges between two in-process peers (A initiates unless a test says otherwise), with
 * deterministic randomness and virtual time. Each step is written beside the code in RFC 7296
 * notation.
 */
@Timeout(60)
class IkeExchangeTest {

    private static TwoPeers established(int lanesA, int lanesB) {
        TwoPeers peers = new TwoPeers(lanesA, lanesB, TwoPeers.defaultAtA(), TwoPeers.defaultAtB());
        peers.a.initiate("site");
        // HDR, SAi1, KEi, Ni, N(NAT_D)*2, N(FRAG_SUP)  -->  <--  HDR, SAr1, KEr, Nr, N(NAT_D)*2, N(FRAG_SUP)
        // HDR, SK{IDi, IDr, AUTH, N(SA_RESOURCE_INFO), N(UDP_EPHEMERAL_SOURCE_PORT), SAi2, TSi, TSr}  -->
        //                                           <--  HDR, SK{IDr, AUTH, N(...), SAr2, TSi, TSr}
        // then per lane: HDR, SK{N(SA_RESOURCE_INFO), SA, Ni, TSi, TSr}  -->  <--  HDR, SK{N(SA_RESOURCE_INFO), SA, Nr,
        // TSi, TSr}
        peers.deliverAll();
        return peers;
    }

    @ParameterizedTest(name = "{0} lanes at A, {1} at B")
    @CsvSource({"1,1", "2,2", "4,4", "2,4", "4,2"})
    void pskTunnelComesUpWithTheFallbackPairAndOnePerCpuPairPerInitiatorLane(int lanesA, int lanesB) {
        TwoPeers peers = established(lanesA, lanesB);

        IkeSa atA = peers.a.current("site");
        IkeSa atB = peers.b.current("site");
        assertNotNull(atA, peers.events.toString());
        assertEquals(IkeSa.State.ESTABLISHED, atA.state(), peers.events.toString());
        assertEquals(IkeSa.State.ESTABLISHED, atB.state());
        assertTrue(atA.perCpu() && atB.perCpu(), "both sides agreed to RFC 9611 per-CPU SAs");
        assertTrue(atA.multiport() && atB.multiport(), "both sides agreed to multiport");
        assertEquals(1, peers.planeA.fallbackCount());
        assertEquals(1, peers.planeB.fallbackCount());
        // A asks for one per lane of its own; B accepts up to 2 x its lanes.
        long expected = Math.min(lanesA, 2L * lanesB);
        assertEquals(expected, peers.planeA.perCpuCount());
        assertEquals(expected, peers.planeB.perCpuCount());
        assertPairsMirror(peers);
        assertInboundSpisSteerToTheirLanes(peers.planeA);
        assertInboundSpisSteerToTheirLanes(peers.planeB);
        Set<Integer> lanesAtA = new HashSet<>();
        peers.planeA.installed.values().stream().filter(s -> !s.isFallback()).forEach(s -> lanesAtA.add(s.lane()));
        assertEquals(lanesA, lanesAtA.size(), "every lane of A has its own pair");
    }

    private static void assertPairsMirror(TwoPeers peers) {
        for (ChildSaSpec mine : peers.planeA.installed.values()) {
            ChildSaSpec theirs = peers.planeB.installed.values().stream()
                    .filter(s -> s.inboundSpi() == mine.outboundSpi())
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("B has no inbound SA for A's outbound " + mine));
            assertEquals(mine.inboundSpi(), theirs.outboundSpi());
            assertEquals(mine.outboundKey(), theirs.inboundKey(), "A's outbound key is B's inbound key");
            assertEquals(mine.inboundKey(), theirs.outboundKey());
            assertEquals(mine.isFallback(), theirs.isFallback());
            assertEquals(mine.localTs(), theirs.remoteTs());
        }
    }

    private static void assertInboundSpisSteerToTheirLanes(RecordingDataPlane plane) {
        for (ChildSaSpec spec : plane.installed.values()) {
            if (!spec.isFallback()) {
                assertEquals(
                        spec.lane(), Integer.remainderUnsigned(spec.inboundSpi(), plane.laneCount()), spec.toString());
            }
        }
    }

    @Test
    void statusShowsAChildSaOnlyOnceTheDataPathHasInstalledIt() {
        TwoPeers peers = new TwoPeers(2, 2, TwoPeers.defaultAtA(), TwoPeers.defaultAtB());
        peers.planeA.deferInstalls = true;
        peers.a.initiate("site");
        peers.deliverAll();

        assertEquals(3, peers.a.current("site").children().size(), "the control plane has the pairs");
        assertEquals(0, peers.a.status().getFirst().children().size(), "the lanes do not yet");
        peers.planeA.deferred.getFirst().complete(null);
        assertEquals(1, peers.a.status().getFirst().children().size());
        peers.planeA.deferred.forEach(f -> f.complete(null));
        assertEquals(3, peers.a.status().getFirst().children().size());
        assertEquals(3, peers.b.status().getFirst().children().size());
    }

    @Test
    void fallbackPairIsTheOnlyPairWhenThePeerDoesNotOfferPerCpuSas() {
        ConnectionConfig plainB = TwoPeers.pskConnection("10.0.0.1")
                .localTs(List.of("10.2.0.0/16"))
                .remoteTs(List.of("10.1.0.0/16"))
                .perCpuSas(false)
                .multiport(false)
                .build();
        TwoPeers peers = new TwoPeers(2, 2, TwoPeers.defaultAtA(), plainB);
        peers.a.initiate("site");
        peers.deliverAll();

        assertEquals(IkeSa.State.ESTABLISHED, peers.a.current("site").state());
        assertFalse(peers.a.current("site").perCpu());
        assertFalse(peers.a.current("site").multiport(), "multiport needs both sides");
        assertEquals(1, peers.planeA.installed.size());
        assertFalse(peers.planeA.installed.values().iterator().next().multiport());
    }

    @Test
    void responderAtItsPerCpuLimitAnswersTsMaxQueueAndTheLaneStaysOnTheFallback() {
        ConnectionConfig limitedB =
                TwoPeers.connection(TwoPeers.A, 1, true, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
        TwoPeers peers = new TwoPeers(4, 1, TwoPeers.defaultAtA(), limitedB);
        peers.a.initiate("site");
        peers.deliverAll();

        assertEquals(1, peers.planeA.perCpuCount());
        assertEquals(1, peers.planeB.perCpuCount());
        assertEquals(1, peers.planeA.fallbackCount());
        // Acquires from the refused lanes do not ask again.
        int before = peers.delivered.size();
        for (int lane = 0; lane < 4; lane++) {
            peers.a.acquire("site", lane);
        }
        peers.deliverAll();
        assertEquals(before, peers.delivered.size());
    }

    @Test
    void invalidKePayloadMakesTheInitiatorRetryWithTheResponderGroup() {
        ConnectionConfig atA =
                TwoPeers.connection(TwoPeers.B, 0, true, "aes128gcm16-prfsha256-x25519-ecp256", "aes128gcm16");
        ConnectionConfig atB = TwoPeers.connection(TwoPeers.A, 0, true, "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
        TwoPeers peers = new TwoPeers(1, 1, atA, atB);
        peers.a.initiate("site");
        // HDR, SAi1, KEi(x25519), Ni  -->  <--  HDR, N(INVALID_KE_PAYLOAD, ecp256)
        // HDR, SAi1, KEi(ecp256), Ni  -->  <--  HDR, SAr1, KEr, Nr
        peers.deliverAll();

        assertNotNull(peers.a.current("site"), peers.events.toString());
        assertEquals(IkeSa.State.ESTABLISHED, peers.a.current("site").state());
        long inits = peers.delivered.stream()
                .filter(d -> TwoPeers.exchange(d).equals(ExchangeType.IKE_SA_INIT) && !TwoPeers.isResponse(d))
                .count();
        assertEquals(2, inits);
    }

    @Test
    void disjointProposalsEndInNoProposalChosenWithNothingInstalled() {
        ConnectionConfig atA = TwoPeers.connection(TwoPeers.B, 0, true, "aes256gcm16-prfsha384-ecp384", "aes128gcm16");
        TwoPeers peers = new TwoPeers(1, 1, atA, TwoPeers.defaultAtB());
        peers.a.initiate("site");
        peers.deliverAll();

        assertNull(peers.a.current("site"));
        assertTrue(peers.a.ikeSas().isEmpty());
        assertTrue(peers.b.ikeSas().isEmpty() || peers.b.current("site").state() == IkeSa.State.CONNECTING);
        assertTrue(peers.planeA.installed.isEmpty() && peers.planeB.installed.isEmpty());
    }

    @Test
    void wrongPreSharedKeyFailsAuthenticationAndInstallsNothing() {
        ConnectionConfig atB = ConnectionConfig.builder("site")
                .remoteAddress("10.0.0.1")
                .psk(net.ipsecgw.ike.config.Secret.valueOf("a different key of enough length"))
                .localTs(List.of("10.2.0.0/16"))
                .remoteTs(List.of("10.1.0.0/16"))
                .build();
        TwoPeers peers = new TwoPeers(2, 2, TwoPeers.defaultAtA(), atB);
        peers.a.initiate("site");
        // HDR, SK{IDi, AUTH, SAi2, TSi, TSr}  -->  <--  HDR, SK{N(AUTHENTICATION_FAILED)}
        peers.deliverAll();

        assertNull(peers.a.current("site"));
        assertTrue(peers.planeA.installed.isEmpty());
        assertTrue(peers.planeB.installed.isEmpty());
        assertTrue(peers.events.stream().anyMatch(e -> e.contains("AUTH does not match")), peers.events.toString());
    }

    @Test
    void lostResponseIsRetransmittedAndTheRetransmittedRequestIsAnsweredFromTheCache() {
        TwoPeers peers = new TwoPeers(1, 1, TwoPeers.defaultAtA(), TwoPeers.defaultAtB());
        AtomicInteger authResponses = new AtomicInteger();
        peers.drop = d -> TwoPeers.exchange(d).equals(ExchangeType.IKE_AUTH)
                && TwoPeers.isResponse(d)
                && authResponses.getAndIncrement() == 0;
        peers.a.initiate("site");
        peers.deliverAll();
        assertEquals(IkeSa.State.CONNECTING, peers.a.current("site").state());

        peers.run(Duration.ofSeconds(5)); // the first retransmission is due after 4 s
        assertEquals(IkeSa.State.ESTABLISHED, peers.a.current("site").state(), peers.events.toString());
        assertEquals(1, peers.planeB.fallbackCount(), "B installed the first pair once, not twice");
    }

    @Test
    void duplicatedRequestsChangeNothing() {
        TwoPeers peers = new TwoPeers(2, 2, TwoPeers.defaultAtA(), TwoPeers.defaultAtB());
        peers.a.initiate("site");
        for (int i = 0; i < 10_000 && !peers.wire.isEmpty(); i++) {
            RecordingDataPlane.Datagram next = peers.wire.poll();
            peers.deliver(next);
            if (!TwoPeers.isResponse(next)) {
                peers.deliver(next); // every request arrives twice
            }
        }
        peers.deliverAll();
        assertEquals(IkeSa.State.ESTABLISHED, peers.a.current("site").state());
        assertEquals(3, peers.planeA.installed.size());
        assertEquals(3, peers.planeB.installed.size());
        assertPairsMirror(peers);
    }

    @Test
    void softExpiryRekeysMakeBeforeBreakOnTheSameLane() {
        TwoPeers peers = established(2, 2);
        ChildSaSpec old = peers.planeA.installed.values().stream()
                .filter(s -> s.lane() == 1)
                .findFirst()
                .orElseThrow();

        peers.a.expired(old.id(), false);
        // HDR, SK{N(REKEY_SA), SA, Ni, TSi, TSr}  -->  <--  HDR, SK{SA, Nr, TSi, TSr}
        // HDR, SK{D(ESP, old)}                    -->  <--  HDR, SK{D(ESP, old)}
        peers.deliverAll();

        assertFalse(peers.planeA.installed.containsKey(old.id()));
        ChildSaSpec fresh = peers.planeA.installed.values().stream()
                .filter(s -> s.lane() == 1)
                .findFirst()
                .orElseThrow();
        int installAt = peers.planeA.log.indexOf("install " + fresh.id());
        int removeAt = peers.planeA.log.indexOf("remove " + old.id());
        assertTrue(installAt >= 0 && installAt < removeAt, "new pair installed before the old one is removed");
        assertEquals(3, peers.planeA.installed.size());
        assertEquals(3, peers.planeB.installed.size());
        assertPairsMirror(peers);
    }

    @Test
    void rekeyCollisionLeavesExactlyOneNewPairOnBothSides() {
        TwoPeers peers = established(1, 1);
        ChildSaSpec atA = peers.planeA.installed.values().stream()
                .filter(s -> s.lane() == 0)
                .findFirst()
                .orElseThrow();
        ChildSaSpec atB = peers.planeB.installed.values().stream()
                .filter(s -> s.inboundSpi() == atA.outboundSpi())
                .findFirst()
                .orElseThrow();

        peers.a.expired(atA.id(), false);
        peers.b.expired(atB.id(), false);
        // Both requests cross: each side answers the other's before its own answer arrives.
        // A: HDR, SK{N(REKEY_SA), SA, Ni_a, TSi, TSr} -->   <-- B: HDR, SK{N(REKEY_SA), SA, Ni_b, TSi, TSr}
        // The exchange with the lowest of the four nonces made a redundant pair; its initiator deletes
        // it, and the initiator of the other exchange deletes the old pair.
        peers.deliverAll();

        assertFalse(peers.planeA.installed.containsKey(atA.id()));
        assertFalse(peers.planeB.installed.containsKey(atB.id()));
        assertEquals(2, peers.planeA.installed.size(), peers.planeA.log.toString());
        assertEquals(2, peers.planeB.installed.size(), peers.planeB.log.toString());
        assertPairsMirror(peers);
    }

    @Test
    void ikeSaRekeyMovesEveryChildSaToTheNewIkeSa() {
        TwoPeers peers = established(2, 2);
        IkeSa old = peers.a.current("site");

        peers.a.rekey("site");
        peers.deliverAll();

        IkeSa fresh = peers.a.current("site");
        assertNotNull(fresh);
        assertTrue(fresh != old && fresh.initiatorSpi() != old.initiatorSpi());
        assertEquals(IkeSa.State.DESTROYED, old.state());
        assertEquals(1, peers.a.ikeSas().size(), peers.a.ikeSas().toString());
        assertEquals(1, peers.b.ikeSas().size(), peers.b.ikeSas().toString());
        assertEquals(3, fresh.children().size());
        assertEquals(3, peers.planeA.installed.size());
        assertPairsMirror(peers);
        // The new IKE SA works: a Child SA rekey over it.
        long anyChild = peers.planeA.installed.keySet().iterator().next();
        peers.a.expired(anyChild, false);
        peers.deliverAll();
        assertEquals(3, peers.planeA.installed.size());
        assertPairsMirror(peers);
    }

    @Test
    void terminateFromTheResponderDeletesEverythingOnBothSides() {
        TwoPeers peers = established(2, 2);
        peers.b.terminate("site");
        // HDR, SK{D(IKE)}  -->  <--  HDR, SK{}
        peers.deliverAll();

        assertTrue(peers.a.ikeSas().isEmpty());
        assertTrue(peers.b.ikeSas().isEmpty());
        assertTrue(peers.planeA.installed.isEmpty());
        assertTrue(peers.planeB.installed.isEmpty());
    }

    @Test
    void deadPeerDetectionTearsDownAfterTheRetransmissionsGoUnanswered() {
        TwoPeers peers = established(1, 1);
        peers.drop = d -> d.from().getAddress().equals(TwoPeers.B); // B goes silent

        peers.run(Duration.ofMinutes(5)); // dpd-delay 30 s, then 4 s x 1.8^n for 5 retransmissions (about 165 s)

        assertTrue(peers.a.ikeSas().isEmpty(), peers.a.ikeSas().toString());
        assertTrue(peers.planeA.installed.isEmpty());
    }

    @Test
    void aCookieIsRequiredAboveTheThresholdAndTheInitiatorReturnsIt() {
        IkeSettings alwaysCookies = new IkeSettings(null, null, null, null, null, 0, null, null);
        TwoPeers peers = new TwoPeers(1, 1, TwoPeers.defaultAtA(), TwoPeers.defaultAtB(), alwaysCookies);
        peers.a.initiate("site");
        // HDR, SAi1, KEi, Ni  -->  <--  HDR, N(COOKIE)
        // HDR, N(COOKIE), SAi1, KEi, Ni  -->  <--  HDR, SAr1, KEr, Nr
        peers.deliverAll();

        assertEquals(IkeSa.State.ESTABLISHED, peers.a.current("site").state(), peers.events.toString());
        assertEquals(1, peers.b.counters().drops("cookie_requested"));
    }

    @Test
    void disjointTrafficSelectorsGiveTsUnacceptableAndAnIkeSaWithoutChildSas() {
        ConnectionConfig elsewhere = TwoPeers.pskConnection("10.0.0.1")
                .localTs(List.of("10.9.0.0/16"))
                .remoteTs(List.of("10.8.0.0/16"))
                .build();
        TwoPeers peers = new TwoPeers(2, 2, TwoPeers.defaultAtA(), elsewhere);
        peers.a.initiate("site");
        // HDR, SK{IDi, AUTH, SAi2, TSi(10.1/16), TSr(10.2/16)}  -->
        //                        <--  HDR, SK{IDr, AUTH, N(TS_UNACCEPTABLE)}
        peers.deliverAll();

        assertEquals(IkeSa.State.ESTABLISHED, peers.a.current("site").state(), "the IKE SA stays up");
        assertTrue(peers.planeA.installed.isEmpty());
        assertTrue(peers.planeB.installed.isEmpty());
        assertTrue(peers.events.stream().anyMatch(e -> e.contains("TS_UNACCEPTABLE")), peers.events.toString());
    }

    @Test
    void narrowedTrafficSelectorsAreWhatBothSidesInstall() {
        ConnectionConfig narrowB = TwoPeers.pskConnection("10.0.0.1")
                .localTs(List.of("10.2.5.0/24"))
                .remoteTs(List.of("10.1.0.0/20"))
                .build();
        TwoPeers peers = new TwoPeers(1, 1, TwoPeers.defaultAtA(), narrowB);
        peers.a.initiate("site");
        peers.deliverAll();

        ChildSaSpec atA = peers.planeA.installed.values().iterator().next();
        assertEquals("[10.1.0.0-10.1.15.255]", atA.localTs().toString(), "A's side narrowed to B's remote-ts");
        assertEquals("[10.2.5.0-10.2.5.255]", atA.remoteTs().toString(), "B's side narrowed to B's local-ts");
        assertPairsMirror(peers);
    }

    @Test
    void dpdActionRestartInitiatesAgainOnceThePeerAnswers() {
        ConnectionConfig restarting = TwoPeers.pskConnection("10.0.0.2")
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .dpdDelay(java.time.Duration.ofSeconds(30))
                .dpdAction(ConnectionConfig.DpdAction.RESTART)
                .build();
        TwoPeers peers = new TwoPeers(1, 1, restarting, TwoPeers.defaultAtB());
        peers.a.initiate("site");
        peers.deliverAll();
        IkeSa first = peers.a.current("site");
        peers.drop = d -> d.from().getAddress().equals(TwoPeers.B);
        peers.run(Duration.ofMinutes(4)); // DPD finds B dead; the restart keeps failing while B is silent

        peers.drop = d -> false;
        peers.run(Duration.ofMinutes(1));

        IkeSa again = peers.a.current("site");
        assertNotNull(again, peers.events.toString());
        assertTrue(again != first);
        assertEquals(IkeSa.State.ESTABLISHED, again.state(), peers.events.toString());
        assertEquals(1 + 1, peers.planeA.installed.size(), "fallback and the one lane's pair, once");
    }

    @Test
    void responderSpisAndInitiatorSpisDifferAndMessagesCarryThem() {
        TwoPeers peers = established(1, 1);
        IkeSa atA = peers.a.current("site");
        IkeSa atB = peers.b.current("site");
        assertEquals(atA.initiatorSpi(), atB.initiatorSpi());
        assertEquals(atA.responderSpi(), atB.responderSpi());
        assertTrue(atA.initiatorSpi() != 0 && atA.responderSpi() != 0);
        assertEquals(4500, atA.local().getPort(), "IKE_AUTH and later run on the NAT-T port");
        assertEquals(4500, atA.remote().getPort());
    }
}
