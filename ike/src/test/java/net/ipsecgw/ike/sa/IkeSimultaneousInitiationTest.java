package net.ipsecgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both gateways initiate the same connection before either hears from the other. Nothing in RFC 7296
 * merges the two attempts, and this implementation does not either: each side completes both, so each
 * holds two established IKE SAs (one it initiated, one it answered), and each IKE SA has its own
 * mirrored Child SAs. The tables stay consistent: every IKE SA at A has its twin at B with the same
 * SPIs, and either can be rekeyed, checked for liveness or deleted on its own.
 *
 * <pre>
 *   A: HDR(SPIi_a), SAi1, KEi, Ni  --&gt;       &lt;--  B: HDR(SPIi_b), SAi1, KEi, Ni
 *   B answers A's and A answers B's: two IKE SAs, then two IKE_AUTH exchanges, one in each direction.
 * </pre>
 */
@Timeout(60)
@ExtendWith(NoLeaks.class)
class IkeSimultaneousInitiationTest {
    private final List<TwoPeers> opened = new ArrayList<>();

    @AfterEach
    void closePeers() {
        opened.forEach(TwoPeers::close);
        opened.clear();
    }

    private TwoPeers bothInitiated() {
        TwoPeers peers = new TwoPeers(1, 1, TwoPeers.defaultAtA(), TwoPeers.defaultAtB());
        opened.add(peers);
        peers.a.initiate("site");
        peers.b.initiate("site");
        peers.deliverAll();
        return peers;
    }

    @Test
    void bothSidesEndWithTwoEstablishedIkeSasThatMirrorEachOther() {
        TwoPeers peers = bothInitiated();

        assertEquals(2, peers.a.ikeSas().size(), peers.a.ikeSas().toString());
        assertEquals(2, peers.b.ikeSas().size(), peers.b.ikeSas().toString());
        // Neither IKE_AUTH says INITIAL_CONTACT: each side already had the other's IKE SA under way.
        assertTrue(peers.events.stream().noneMatch(e -> e.contains("INITIAL_CONTACT")), peers.events::toString);
        for (IkeSa atA : peers.a.ikeSas()) {
            assertEquals(IkeSa.State.ESTABLISHED, atA.state(), peers.events.toString());
            IkeSa atB = twinAtB(peers, atA);
            assertEquals(IkeSa.State.ESTABLISHED, atB.state());
            assertTrue(atA.isOriginalInitiator() != atB.isOriginalInitiator());
            assertEquals(atA.children().size(), atB.children().size());
        }
        // Each IKE SA carries a fallback pair; the initiator of each also asked for its lane's pair.
        assertEquals(2, peers.planeA.fallbackCount());
        assertEquals(2, peers.planeB.fallbackCount());
        assertEquals(4, peers.planeA.installed.size(), peers.planeA.log.toString());
        peers.assertPairsMirror();
        assertTrue(peers.a.counters().snapshot().isEmpty(), peers.a.counters().toString());
        assertTrue(peers.b.counters().snapshot().isEmpty(), peers.b.counters().toString());
    }

    @Test
    void theDuplicateTunnelsKeepWorkingAndBothGoWhenTheConnectionIsTerminated() {
        TwoPeers peers = bothInitiated();

        // A Child SA rekey on each IKE SA, and a liveness check on both.
        for (ChildSaSpec fallback : peers.planeA.installed.values().stream()
                .filter(ChildSaSpec::isFallback)
                .toList()) {
            peers.a.expired(fallback.id(), false);
            peers.deliverAll();
            assertTrue(!peers.planeA.installed.containsKey(fallback.id()), peers.planeA.log.toString());
        }
        assertEquals(4, peers.planeA.installed.size());
        peers.assertPairsMirror();
        peers.run(Duration.ofSeconds(40));
        assertEquals(2, peers.a.ikeSas().size());
        assertEquals(2, peers.b.ikeSas().size());

        peers.a.terminate("site");
        // HDR, SK{D(IKE)}  -->  <--  HDR, SK{}   once for each IKE SA
        peers.deliverAll();
        assertTrue(peers.a.ikeSas().isEmpty());
        assertTrue(peers.b.ikeSas().isEmpty(), peers.b.ikeSas().toString());
        assertTrue(peers.planeA.installed.isEmpty() && peers.planeB.installed.isEmpty());
    }

    private static IkeSa twinAtB(TwoPeers peers, IkeSa atA) {
        IkeSa twin = peers.b.ikeSas().stream()
                .filter(sa -> sa.initiatorSpi() == atA.initiatorSpi() && sa.responderSpi() == atA.responderSpi())
                .findFirst()
                .orElse(null);
        assertNotNull(twin, "B has the twin of " + atA);
        return twin;
    }
}
