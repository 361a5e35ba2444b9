package net.ipsecgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.IkeSettings;
import net.ipsecgw.ike.config.Secret;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.IkeHeader;
import net.ipsecgw.ike.message.IkeMessage;
import net.ipsecgw.ike.message.IkePayload;
import net.ipsecgw.ike.message.NoncePayload;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;
import net.ipsecgw.ike.message.PayloadType;
import net.ipsecgw.ike.message.UnknownPayload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the IKE control plane does with input it must not trust (RFC 7296 §§2.1, 2.5, 2.6, 2.21):
 * damaged copies of every message of real exchanges, unknown critical payloads, unknown SPIs, message
 * IDs outside the window, replayed requests, a later major version, floods of IKE_SA_INIT, and a
 * failed authentication. Each is answered where the RFC says so and otherwise dropped, counted in
 * {@link IkeDaemon#counters()}, and leaves the IKE SA tables and the installed Child SAs as they were.
 * Two in-process peers, A (10.0.0.1) initiating, virtual time; buffers are checked for leaks.
 */
@Timeout(120)
@ExtendWith(NoLeaks.class)
class IkeBadInputTest {
    /** Limits high enough that damaged IKE_SA_INIT requests, many still valid, never hit them. */
    private static final IkeSettings ROOMY =
            new IkeSettings(null, null, null, null, null, 1_000_000, 1_000_000, 10_000_000);

    private static final PayloadType UNKNOWN_TYPE = PayloadType.valueOf(200);

    private final List<TwoPeers> opened = new ArrayList<>();

    /** Closes every pair of peers, also after a failure, so that leak checking sees only real leaks. */
    @AfterEach
    void closePeers() {
        opened.forEach(TwoPeers::close);
        opened.clear();
    }

    private TwoPeers peers(ConnectionConfig atA, ConnectionConfig atB, IkeSettings settings) {
        TwoPeers peers = new TwoPeers(1, 1, atA, atB, settings);
        opened.add(peers);
        return peers;
    }

    private TwoPeers peers() {
        return peers(TwoPeers.defaultAtA(), TwoPeers.defaultAtB(), IkeSettings.defaults());
    }

    private TwoPeers established() {
        TwoPeers peers = peers();
        peers.a.initiate("site");
        // HDR, SAi1, KEi, Ni, N(NAT_D)*2, N(FRAG_SUP)  -->  <--  HDR, SAr1, KEr, Nr, N(NAT_D)*2, N(FRAG_SUP)
        // HDR, SK{IDi, IDr, AUTH, SAi2, TSi, TSr, ...}  -->  <--  HDR, SK{IDr, AUTH, SAr2, TSi, TSr, ...}
        // HDR, SK{N(SA_RESOURCE_INFO), SA, Ni, TSi, TSr}  -->  <--  HDR, SK{N(SA_RESOURCE_INFO), SA, Nr, TSi, TSr}
        peers.deliverAll();
        assertEquals(IkeSa.State.ESTABLISHED, peers.a.current("site").state(), peers.events.toString());
        return peers;
    }

    // --- every byte of every message ---

    @Test
    void everyFlippedOrTruncatedCopyOfEveryMessageIsDroppedAndCountedOrAnsweredAndTheTunnelStillWorks() {
        TwoPeers peers = peers(TwoPeers.defaultAtA(), TwoPeers.defaultAtB(), ROOMY);
        DatagramFuzzer fuzzer = new DatagramFuzzer(peers);
        // A protected message's copies arrive first, while the receiver waits for exactly that message
        // ID, so they reach the ICV check. An IKE_SA_INIT response's copies arrive after it: nothing
        // authenticates it, and a still-valid copy arriving first would be taken for the answer.
        peers.beforeDelivery = d -> {
            if (!TwoPeers.exchange(d).equals(ExchangeType.IKE_SA_INIT) || !TwoPeers.isResponse(d)) {
                fuzzer.damage(d);
            }
        };
        peers.afterDelivery = d -> {
            if (TwoPeers.exchange(d).equals(ExchangeType.IKE_SA_INIT) && TwoPeers.isResponse(d)) {
                fuzzer.damage(d);
            }
        };

        peers.a.initiate("site");
        // A: HDR, SAi1, KEi, Ni, N(NAT_D)*2, N(FRAG_SUP)  -->  <--  HDR, SAr1, KEr, Nr, N(NAT_D)*2, N(FRAG_SUP)
        // A: HDR, SK{IDi, IDr, AUTH, SAi2, TSi, TSr, ...}  -->  <--  HDR, SK{IDr, AUTH, SAr2, TSi, TSr, ...}
        // A: HDR, SK{N(SA_RESOURCE_INFO), SA, Ni, TSi, TSr}  -->  <--  HDR, SK{N(SA_RESOURCE_INFO), SA, Nr, TSi, TSr}
        peers.deliverAll();
        ChildSaSpec perCpuAtB = peers.planeB.installed.values().stream()
                .filter(s -> !s.isFallback())
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        fuzzer.unaccounted().stream().limit(20).toList() + " " + peers.events));
        peers.b.expired(perCpuAtB.id(), false);
        // B: HDR, SK{N(REKEY_SA), SA, Ni, TSi, TSr}  -->  <--  HDR, SK{SA, Nr, TSi, TSr}
        // B: HDR, SK{D(ESP)}  -->  <--  HDR, SK{D(ESP)}
        peers.deliverAll();
        // After 30 s without traffic, each side checks the other: HDR, SK{}  -->  <--  HDR, SK{}
        // (and the half-open IKE SAs the damaged IKE_SA_INIT requests created expire)
        peers.run(Duration.ofSeconds(31));
        peers.beforeDelivery = d -> {};
        peers.afterDelivery = d -> {};

        List<String> problems = fuzzer.unaccounted();
        assertTrue(
                problems.isEmpty(),
                problems.size() + " problems, first: " + problems.subList(0, Math.min(20, problems.size())));
        for (String direction : List.of("request from 10.0.0.1", "response from 10.0.0.2")) {
            for (ExchangeType type : List.of(
                    ExchangeType.IKE_SA_INIT,
                    ExchangeType.IKE_AUTH,
                    ExchangeType.CREATE_CHILD_SA,
                    ExchangeType.INFORMATIONAL)) {
                assertTrue(
                        fuzzer.messages().contains(type + " " + direction),
                        fuzzer.messages().toString());
            }
        }
        for (ExchangeType type : List.of(ExchangeType.CREATE_CHILD_SA, ExchangeType.INFORMATIONAL)) {
            assertTrue(
                    fuzzer.messages().contains(type + " request from 10.0.0.2"),
                    fuzzer.messages().toString());
            assertTrue(
                    fuzzer.messages().contains(type + " response from 10.0.0.1"),
                    fuzzer.messages().toString());
        }
        assertTrue(fuzzer.copies() > 5_000, "copies: " + fuzzer.copies());
        assertEquals(
                0,
                peers.a.counters().drops("internal_error"),
                peers.a.counters().toString());
        assertEquals(
                0,
                peers.b.counters().drops("internal_error"),
                peers.b.counters().toString());
        assertTrue(peers.b.counters().drops("bad_icv") > 0 && peers.a.counters().drops("bad_icv") > 0);
        assertOneEstablishedIkeSaEach(peers);
        assertEquals(2, peers.planeA.installed.size(), peers.planeA.log.toString());
        peers.assertPairsMirror();

        // The tunnel still works: A rekeys the fallback pair.
        long fallback = fallbackAt(peers.planeA).id();
        peers.a.expired(fallback, false);
        peers.deliverAll();
        assertFalse(peers.planeA.installed.containsKey(fallback));
        assertEquals(2, peers.planeA.installed.size());
        peers.assertPairsMirror();
    }

    // --- unknown payloads (RFC 7296 §2.5) ---

    @Test
    void unknownCriticalPayloadInAnEncryptedRequestIsRefusedWithUnsupportedCriticalPayloadAndNotProcessed() {
        TwoPeers peers = established();
        // A: HDR, SK{N(REKEY_SA), SA, Ni, TSi, TSr, U(200, critical)}  -->
        //                                        <--  HDR, SK{N(UNSUPPORTED_CRITICAL_PAYLOAD, 200)}
        RefusedRekey refused = refusedRekey(peers, new UnknownPayload(UNKNOWN_TYPE, true, new byte[4]));
        NotifyPayload notify = refused.refusal()
                .notify(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD)
                .orElseThrow();
        assertArrayEquals(new byte[] {(byte) 200}, notify.data(), "the notify names the payload type");
        assertEquals(1, peers.b.counters().drops("unsupported_critical"));

        // The same request again: the cached response, byte for byte.
        int onWire = peers.wire.size();
        peers.inject(refused.request(), refused.sealed());
        List<RecordingDataPlane.Datagram> again = peers.takeSentSince(onWire);
        assertEquals(1, again.size());
        assertArrayEquals(refused.answer().bytes(), again.getFirst().bytes());

        aLaterRekeyWorks(peers, refused.fallback());
    }

    // --- authentic but malformed (RFC 7296 §3.10.1) ---

    /** A notify of two octets, shorter than a notify's fixed part: a payload no decoder accepts. */
    private static final IkePayload BROKEN_NOTIFY = new UnknownPayload(PayloadType.NOTIFY, false, new byte[2]);

    @Test
    void authenticRequestWithAMalformedPayloadIsAnsweredInvalidSyntaxAndNotProcessed() {
        TwoPeers peers = established();
        // A: HDR, SK{N(REKEY_SA), SA, Ni, TSi, TSr, N(2 octets)}  -->  <--  HDR, SK{N(INVALID_SYNTAX)}
        RefusedRekey refused = refusedRekey(peers, BROKEN_NOTIFY);
        assertTrue(refused.refusal().notify(NotifyType.INVALID_SYNTAX).isPresent(), refused.refusal()::toString);
        assertEquals(1, peers.b.counters().drops("malformed"));

        aLaterRekeyWorks(peers, refused.fallback());
        assertOneEstablishedIkeSaEach(peers);
    }

    /**
     * A's rekey of its fallback pair as sealed again with an extra payload, B's answer to it, and that
     * answer as A reads it.
     */
    private record RefusedRekey(
            ChildSaSpec fallback,
            RecordingDataPlane.Datagram request,
            byte[] sealed,
            RecordingDataPlane.Datagram answer,
            IkeMessage refusal) {}

    /**
     * Starts A's rekey of its fallback pair, hands B the request with {@code extra} added, and checks that
     * B answered it with one payload (the refusal) and installed nothing.
     */
    private static RefusedRekey refusedRekey(TwoPeers peers, IkePayload extra) {
        IkeSa atA = peers.a.current("site");
        IkeSa atB = peers.b.current("site");
        ChildSaSpec fallback = fallbackAt(peers.planeA);
        Map<Long, ChildSaSpec> installedAtB = Map.copyOf(peers.planeB.installed);
        peers.a.expired(fallback.id(), false);
        RecordingDataPlane.Datagram rekey = peers.wire.poll();
        byte[] sealed = resealed(rekey, atB, atA, null, extra);
        peers.inject(rekey, sealed);

        RecordingDataPlane.Datagram answer = peers.wire.peek();
        assertNotNull(answer, "B answered");
        IkeMessage refusal = opened(answer, atA);
        assertTrue(refusal.header().isResponse());
        assertEquals(ExchangeType.CREATE_CHILD_SA, refusal.header().exchangeType());
        assertEquals(header(rekey).messageId(), refusal.header().messageId());
        assertEquals(1, refusal.payloads().size(), refusal.toString());
        assertEquals(installedAtB, peers.planeB.installed, "B did not process the request");
        return new RefusedRekey(fallback, rekey, sealed, answer, refusal);
    }

    /** A takes the refusal as the answer to its rekey and keeps the old pair; a later rekey works. */
    private static void aLaterRekeyWorks(TwoPeers peers, ChildSaSpec fallback) {
        Map<Long, ChildSaSpec> installedAtB = Map.copyOf(peers.planeB.installed);
        peers.deliverAll();
        assertTrue(peers.planeA.installed.containsKey(fallback.id()), peers.events.toString());
        assertEquals(installedAtB, peers.planeB.installed);
        peers.a.expired(fallback.id(), false);
        peers.deliverAll();
        assertFalse(peers.planeA.installed.containsKey(fallback.id()), peers.events.toString());
        assertEquals(2, peers.planeA.installed.size());
        peers.assertPairsMirror();
    }

    @Test
    void malformedIkeAuthRequestIsAnsweredInvalidSyntaxAndEstablishesNothing() {
        TwoPeers peers = peers();
        peers.a.initiate("site");
        peers.deliver(peers.wire.poll()); // IKE_SA_INIT request
        peers.deliver(peers.wire.poll()); // and response
        RecordingDataPlane.Datagram auth = peers.wire.poll();
        assertEquals(ExchangeType.IKE_AUTH, TwoPeers.exchange(auth));
        IkeSa atA = peers.a.ikeSas().getFirst();
        IkeSa atB = peers.b.ikeSas().getFirst();
        // A: HDR, SK{IDi, AUTH, SAi2, TSi, TSr, ..., N(2 octets)}  -->  <--  HDR, SK{N(INVALID_SYNTAX)}
        peers.inject(auth, resealed(auth, atB, atA, null, BROKEN_NOTIFY));
        RecordingDataPlane.Datagram answer = peers.wire.peek();
        assertNotNull(answer, "B answered");
        assertTrue(opened(answer, atA).notify(NotifyType.INVALID_SYNTAX).isPresent());
        peers.deliverAll();

        assertTrue(peers.a.ikeSas().isEmpty(), "A gave up at once: " + peers.events);
        assertTrue(peers.planeA.installed.isEmpty() && peers.planeB.installed.isEmpty());
        assertEquals(IkeSa.State.CONNECTING, atB.state(), "never established");
        peers.run(IkeDaemon.HALF_OPEN_TIMEOUT.plusSeconds(1));
        assertTrue(peers.b.ikeSas().isEmpty(), peers.b.ikeSas().toString());
    }

    @Test
    void unknownNonCriticalPayloadInAnEncryptedRequestIsSkipped() {
        TwoPeers peers = established();
        ChildSaSpec fallback = fallbackAt(peers.planeA);
        peers.a.expired(fallback.id(), false);
        RecordingDataPlane.Datagram rekey = peers.wire.poll();
        // A: HDR, SK{N(REKEY_SA), SA, Ni, TSi, TSr, U(200)}  -->  <--  HDR, SK{SA, Nr, TSi, TSr}
        peers.inject(
                rekey,
                resealed(
                        rekey,
                        peers.b.current("site"),
                        peers.a.current("site"),
                        null,
                        new UnknownPayload(UNKNOWN_TYPE, false, new byte[4])));
        peers.deliverAll();

        assertFalse(peers.planeA.installed.containsKey(fallback.id()), peers.events.toString());
        assertEquals(2, peers.planeA.installed.size());
        peers.assertPairsMirror();
    }

    @Test
    void unknownCriticalPayloadInIkeSaInitIsRefusedUnprotectedAndLeavesNoState() {
        TwoPeers peers = peers();
        peers.a.initiate("site");
        RecordingDataPlane.Datagram init = peers.wire.poll();
        IkeMessage request = decoded(init);
        List<IkePayload> payloads = new ArrayList<>(request.payloads());
        payloads.add(new UnknownPayload(UNKNOWN_TYPE, true, new byte[] {1, 2}));
        // A: HDR, SAi1, KEi, Ni, ..., U(200, critical)  -->  <--  HDR, N(UNSUPPORTED_CRITICAL_PAYLOAD, 200)
        peers.inject(init, encoded(new IkeMessage(request.header(), payloads)));

        RecordingDataPlane.Datagram answer = peers.wire.poll();
        assertNotNull(answer);
        IkeMessage refusal = decoded(answer);
        assertTrue(refusal.header().isResponse());
        assertEquals(request.header().initiatorSpi(), refusal.header().initiatorSpi());
        assertEquals(0, refusal.header().responderSpi(), "no IKE SA, so no responder SPI");
        assertArrayEquals(
                new byte[] {(byte) 200},
                refusal.notify(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD)
                        .orElseThrow()
                        .data());
        assertTrue(peers.b.ikeSas().isEmpty());
        assertEquals(1, peers.b.counters().drops("unsupported_critical"));

        // The real request is then answered as usual.
        peers.deliver(init);
        peers.deliverAll();
        assertOneEstablishedIkeSaEach(peers);
    }

    // --- SPIs and message IDs (RFC 7296 §§2.1, 2.21.4) ---

    @Test
    void messageForAnUnknownIkeSpiIsDroppedAndCountedWithoutAnswer() {
        TwoPeers peers = established();
        peers.a.expired(fallbackAt(peers.planeA).id(), false);
        RecordingDataPlane.Datagram rekey = peers.wire.poll();
        byte[] otherSpi = rekey.bytes().clone();
        Unpooled.wrappedBuffer(otherSpi).setLong(8, 0x1122334455667788L);
        // HDR(SPIr unknown to B), SK{...}  -->  (nothing: INVALID_IKE_SPI is a MAY, §2.21.4; we stay silent)
        peers.inject(rekey, otherSpi);

        assertTrue(peers.wire.isEmpty(), "no answer");
        assertEquals(1, peers.b.counters().drops("unknown_spi"));
        peers.deliver(rekey);
        peers.deliverAll();
        assertOneEstablishedIkeSaEach(peers);
        peers.assertPairsMirror();
    }

    @Test
    void responseWithNoRequestOutstandingIsDroppedAndCounted() {
        TwoPeers peers = established();
        RecordingDataPlane.Datagram oldResponse = peers.delivered.stream()
                .filter(d -> TwoPeers.exchange(d).equals(ExchangeType.CREATE_CHILD_SA) && TwoPeers.isResponse(d))
                .findFirst()
                .orElseThrow();
        Map<Long, ChildSaSpec> installed = Map.copyOf(peers.planeA.installed);
        // <--  HDR, SK{N(SA_RESOURCE_INFO), SA, Nr, TSi, TSr} again, with no request of A outstanding
        peers.inject(oldResponse, oldResponse.bytes());

        assertEquals(1, peers.a.counters().drops("wrong_message_id"));
        assertTrue(peers.wire.isEmpty());
        assertEquals(installed, peers.planeA.installed);
        assertOneEstablishedIkeSaEach(peers);
    }

    @Test
    void authenticRequestWithAMessageIdAheadOfTheWindowIsDroppedAndCounted() {
        TwoPeers peers = established();
        IkeSa atA = peers.a.current("site");
        IkeSa atB = peers.b.current("site");
        peers.a.expired(fallbackAt(peers.planeA).id(), false);
        RecordingDataPlane.Datagram rekey = peers.wire.poll();
        int expected = atB.tasks().expectedRequestId();
        assertEquals(expected, header(rekey).messageId());
        // A: HDR(message ID expected + 1), SK{N(REKEY_SA), SA, Ni, TSi, TSr}  -->  (dropped before decryption)
        peers.inject(rekey, resealed(rekey, atB, atA, expected + 1, null));

        assertTrue(peers.wire.isEmpty());
        assertEquals(1, peers.b.counters().drops("wrong_message_id"));
        assertEquals(expected, atB.tasks().expectedRequestId(), "the window did not move");
        peers.deliver(rekey); // the real one, with the expected ID, still works
        peers.deliverAll();
        assertEquals(2, peers.planeA.installed.size());
        peers.assertPairsMirror();
    }

    @Test
    void replayedLastRequestIsAnsweredFromTheCacheAndOlderRequestsAreDropped() {
        TwoPeers peers = established();
        List<RecordingDataPlane.Datagram> requestsFromA = peers.delivered.stream()
                .filter(d -> d.from().getAddress().equals(TwoPeers.A) && !TwoPeers.isResponse(d))
                .toList();
        List<RecordingDataPlane.Datagram> responsesFromB = peers.delivered.stream()
                .filter(d -> d.from().getAddress().equals(TwoPeers.B) && TwoPeers.isResponse(d))
                .toList();
        Map<Long, ChildSaSpec> installedAtB = Map.copyOf(peers.planeB.installed);
        IkeSa atB = peers.b.current("site");

        // The last request (CREATE_CHILD_SA, message ID 2) again: B resends its cached response.
        peers.inject(requestsFromA.getLast(), requestsFromA.getLast().bytes());
        assertEquals(1, peers.wire.size());
        assertArrayEquals(responsesFromB.getLast().bytes(), peers.wire.poll().bytes());
        // The IKE_AUTH request (message ID 1): too old to answer, dropped.
        RecordingDataPlane.Datagram auth = requestsFromA.stream()
                .filter(d -> TwoPeers.exchange(d).equals(ExchangeType.IKE_AUTH))
                .findFirst()
                .orElseThrow();
        peers.inject(auth, auth.bytes());
        assertTrue(peers.wire.isEmpty());
        assertEquals(1, peers.b.counters().drops("wrong_message_id"));
        // The IKE_SA_INIT request: the half-open IKE SA it made is established now; a repeat is a new
        // IKE_SA_INIT (answered, a new half-open IKE SA), which expires unauthenticated.
        RecordingDataPlane.Datagram init = requestsFromA.getFirst();
        peers.inject(init, init.bytes());
        assertEquals(1, peers.wire.size());
        peers.wire.clear();
        assertSame(atB, peers.b.current("site"), "the half-open IKE SA does not hide the established one");

        peers.timers.advance(IkeDaemon.HALF_OPEN_TIMEOUT.plusSeconds(1));
        peers.wire.clear(); // DPD requests; not needed here
        assertEquals(installedAtB, peers.planeB.installed);
        assertEquals(List.of(atB), peers.b.ikeSas());
    }

    @Test
    void ikeSaInitWithMajorVersion3IsAnsweredWithInvalidMajorVersionAndLeavesNoState() {
        TwoPeers peers = peers();
        peers.a.initiate("site");
        RecordingDataPlane.Datagram init = peers.wire.poll();
        byte[] version3 = init.bytes().clone();
        version3[17] = 0x30;
        // A: HDR(3.0), SAi1, KEi, Ni  -->  <--  HDR(2.0), N(INVALID_MAJOR_VERSION)   (RFC 7296 §§1.5, 2.5)
        peers.inject(init, version3);

        RecordingDataPlane.Datagram answer = peers.wire.poll();
        assertNotNull(answer);
        IkeMessage refusal = decoded(answer);
        assertEquals(IkeHeader.VERSION_2_0, refusal.header().version(), "the highest version B speaks");
        assertTrue(refusal.header().isResponse());
        assertEquals(header(init).initiatorSpi(), refusal.header().initiatorSpi());
        assertTrue(refusal.hasNotify(NotifyType.INVALID_MAJOR_VERSION));
        assertTrue(peers.b.ikeSas().isEmpty());
        assertEquals(1, peers.b.counters().drops("invalid_major_version"));
        peers.deliver(init);
        peers.deliverAll();
        assertOneEstablishedIkeSaEach(peers);
    }

    @Test
    void responseWithMajorVersion3IsDroppedWithoutAnswer() {
        TwoPeers peers = peers();
        peers.a.initiate("site");
        peers.deliver(peers.wire.poll());
        RecordingDataPlane.Datagram response = peers.wire.poll();
        byte[] version3 = response.bytes().clone();
        version3[17] = 0x30;
        peers.inject(response, version3);

        assertTrue(peers.wire.isEmpty(), "a response is never answered (RFC 7296 §1.5)");
        assertEquals(1, peers.a.counters().drops("invalid_major_version"));
        peers.deliver(response);
        peers.deliverAll();
        assertOneEstablishedIkeSaEach(peers);
    }

    @Test
    void ikeSaInitRequestWithANonZeroMessageIdIsDroppedAndLeavesNoState() {
        TwoPeers peers = peers();
        peers.a.initiate("site");
        RecordingDataPlane.Datagram init = peers.wire.poll();
        byte[] id1 = init.bytes().clone();
        id1[23] = 1;
        peers.inject(init, id1);

        assertTrue(peers.wire.isEmpty());
        assertTrue(peers.b.ikeSas().isEmpty());
        assertEquals(1, peers.b.counters().drops("wrong_message_id"));
    }

    // --- IKE_SA_INIT: retransmissions and floods (RFC 7296 §§2.1, 2.6) ---

    @Test
    void anotherIkeSaInitWithTheSameSpiIsNotAnsweredWithTheFirstOnesResponse() {
        TwoPeers peers = peers();
        peers.a.initiate("site");
        RecordingDataPlane.Datagram init = peers.wire.poll();
        IkeMessage request = decoded(init);
        List<IkePayload> payloads = request.payloads().stream()
                .map(p -> p instanceof NoncePayload ? new NoncePayload(new byte[32]) : p)
                .toList();
        // Someone else's HDR(SPIi of A), SAi1, KEi, Ni'  -->  <--  HDR, SAr1, KEr, Nr   (a half-open IKE SA)
        peers.inject(init, encoded(new IkeMessage(request.header(), payloads)));
        byte[] first = peers.wire.poll().bytes();

        peers.deliver(init);
        RecordingDataPlane.Datagram second = peers.wire.peek();
        assertFalse(java.util.Arrays.equals(first, second.bytes()), "the real request has its own answer");
        peers.deliver(init); // a true retransmission: the cached answer
        assertArrayEquals(second.bytes(), peers.wire.getLast().bytes());
        peers.wire.removeLast();
        peers.deliverAll();
        assertEquals(IkeSa.State.ESTABLISHED, peers.a.current("site").state(), peers.events.toString());
        assertEquals(2, peers.b.ikeSas().size(), "the other request's half-open IKE SA waits for its timeout");

        peers.timers.advance(IkeDaemon.HALF_OPEN_TIMEOUT.plusSeconds(1));
        peers.wire.clear();
        assertOneEstablishedIkeSaEach(peers);
    }

    @Test
    void ikeSaInitRequestsFromOneSourceBeyondTheHalfOpenLimitAreDroppedAndHalfOpenSasExpire() {
        IkeSettings threePerSource = new IkeSettings(null, null, null, null, null, 1000, 3, null);
        TwoPeers peers = peers(TwoPeers.defaultAtA(), TwoPeers.defaultAtB(), threePerSource);
        peers.a.initiate("site");
        RecordingDataPlane.Datagram init = peers.wire.poll();
        // Ten IKE_SA_INIT requests from A's address, each with its own SPIi.
        for (int i = 1; i <= 10; i++) {
            byte[] flood = init.bytes().clone();
            Unpooled.wrappedBuffer(flood).setLong(0, 0x0100_0000_0000_0000L + i);
            peers.inject(init, flood);
        }

        assertEquals(3, peers.wire.size(), "the first three are answered");
        peers.wire.clear();
        assertEquals(3, peers.b.ikeSas().size());
        assertTrue(peers.b.ikeSas().stream().allMatch(sa -> sa.state() == IkeSa.State.CONNECTING));
        assertEquals(7, peers.b.counters().drops("half_open_limit"));
        peers.deliver(init); // the real one as well
        assertTrue(peers.wire.isEmpty());
        assertEquals(8, peers.b.counters().drops("half_open_limit"));

        // Half-open IKE SAs vanish after the timeout; A's retransmission after 47.5 s then gets through.
        peers.run(Duration.ofSeconds(60));
        assertOneEstablishedIkeSaEach(peers);
    }

    // --- authentication failure (RFC 7296 §2.21.2) ---

    @Test
    void authenticationFailureIsAnsweredAndLeavesNoIkeSaOnEitherSide() {
        ConnectionConfig otherKeyAtB = ConnectionConfig.builder("site")
                .remoteAddress("10.0.0.1")
                .psk(Secret.valueOf("a different key of enough length"))
                .localTs(List.of("10.2.0.0/16"))
                .remoteTs(List.of("10.1.0.0/16"))
                .build();
        TwoPeers peers = peers(TwoPeers.defaultAtA(), otherKeyAtB, IkeSettings.defaults());
        peers.a.initiate("site");
        // A: HDR, SK{IDi, IDr, AUTH, SAi2, TSi, TSr}  -->  <--  HDR, SK{N(AUTHENTICATION_FAILED)}
        peers.deliverAll();

        RecordingDataPlane.Datagram refusal = peers.delivered.getLast();
        assertEquals(ExchangeType.IKE_AUTH, TwoPeers.exchange(refusal));
        assertTrue(TwoPeers.isResponse(refusal));
        assertTrue(peers.a.ikeSas().isEmpty(), "A gave up at once");
        assertTrue(peers.planeA.installed.isEmpty() && peers.planeB.installed.isEmpty());
        assertEquals(1, peers.b.ikeSas().size());
        assertEquals(IkeSa.State.CONNECTING, peers.b.ikeSas().getFirst().state(), "never established");
        assertTrue(peers.events.contains("10.0.0.2: IKE_AUTH answered AUTHENTICATION_FAILED"), peers.events.toString());

        // B keeps the unauthenticated IKE SA only as long as any half-open one.
        peers.run(IkeDaemon.HALF_OPEN_TIMEOUT.plusSeconds(1));
        assertTrue(peers.b.ikeSas().isEmpty(), peers.b.ikeSas().toString());
    }

    // --- helpers ---

    private static void assertOneEstablishedIkeSaEach(TwoPeers peers) {
        assertEquals(1, peers.a.ikeSas().size(), peers.a.ikeSas().toString());
        assertEquals(1, peers.b.ikeSas().size(), peers.b.ikeSas().toString());
        IkeSa atA = peers.a.ikeSas().getFirst();
        IkeSa atB = peers.b.ikeSas().getFirst();
        assertEquals(IkeSa.State.ESTABLISHED, atA.state(), peers.events.toString());
        assertEquals(IkeSa.State.ESTABLISHED, atB.state());
        assertEquals(atA.initiatorSpi(), atB.initiatorSpi());
        assertEquals(atA.responderSpi(), atB.responderSpi());
    }

    private static ChildSaSpec fallbackAt(RecordingDataPlane plane) {
        return plane.installed.values().stream()
                .filter(ChildSaSpec::isFallback)
                .findFirst()
                .orElseThrow();
    }

    private static IkeHeader header(RecordingDataPlane.Datagram d) {
        return IkeHeader.decode(Unpooled.wrappedBuffer(d.bytes()));
    }

    private static IkeMessage decoded(RecordingDataPlane.Datagram d) {
        return IkeMessage.decode(Unpooled.wrappedBuffer(d.bytes())).orElseThrow();
    }

    /** A protected message as {@code receiver} reads it. */
    private static IkeMessage opened(RecordingDataPlane.Datagram d, IkeSa receiver) {
        return decoded(d).decrypt(receiver.receiveCipher()).orElseThrow();
    }

    /**
     * The protected message {@code d} (which {@code receiver} can open) sealed again by {@code sender},
     * with another message ID if one is given and an extra payload at the end if one is given: an
     * authentic message that says what the test wants.
     */
    private static byte[] resealed(
            RecordingDataPlane.Datagram d, IkeSa receiver, IkeSa sender, Integer messageId, IkePayload extra) {
        IkeMessage inner = opened(d, receiver);
        IkeHeader h = inner.header();
        IkeHeader header = IkeHeader.of(
                h.initiatorSpi(),
                h.responderSpi(),
                h.exchangeType(),
                h.flags(),
                messageId == null ? h.messageId() : messageId);
        List<IkePayload> payloads = new ArrayList<>(inner.payloads());
        if (extra != null) {
            payloads.add(extra);
        }
        ByteBuf out = new IkeMessage(header, payloads).encodeEncrypted(ByteBufAllocator.DEFAULT, sender.sendCipher());
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    private static byte[] encoded(IkeMessage message) {
        ByteBuf out = message.encode(ByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }
}
