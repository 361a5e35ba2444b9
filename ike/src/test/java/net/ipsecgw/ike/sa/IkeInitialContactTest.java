package net.ipsecgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * INITIAL_CONTACT (RFC 7296 §3.10.1): a gateway that lost its state (a restart) says so in its first
 * IKE_AUTH, and the peer drops the IKE SA and Child SAs it still held with it at once, instead of
 * keeping them, installed and sending into the void, until DPD declares them dead.
 *
 * <pre>
 *   A and B: one IKE SA, its pairs                    A restarts: it holds nothing
 *   A: HDR, SK{IDi, AUTH, N(INITIAL_CONTACT), SA, TSi, TSr}  --&gt;
 *                                                     B: the old IKE SA and its pairs go, silently
 *                                               &lt;--  HDR, SK{IDr, AUTH, SA, TSi, TSr}
 * </pre>
 */
@Timeout(60)
@ExtendWith(NoLeaks.class)
class IkeInitialContactTest {
    private TwoPeers peers;

    @AfterEach
    void closePeers() {
        if (peers != null) {
            peers.close();
        }
    }

    private TwoPeers established() {
        peers = new TwoPeers(2, 2, TwoPeers.defaultAtA(), TwoPeers.defaultAtB());
        peers.a.initiate("site");
        peers.deliverAll();
        assertEquals(1, peers.b.ikeSas().size());
        assertEquals(IkeSa.State.ESTABLISHED, peers.b.ikeSas().get(0).state(), peers.events.toString());
        return peers;
    }

    /** A loses everything without a word to B, as a crash or a restart does. */
    private static void restart(IkeDaemon daemon) {
        daemon.ikeSas().forEach(sa -> sa.destroy("restart"));
        assertTrue(daemon.ikeSas().isEmpty());
    }

    @Test
    void aRestartedPeersInitialContactRemovesTheOldIkeSaAndItsChildSasAtOnce() {
        TwoPeers peers = established();
        IkeSa old = peers.b.ikeSas().get(0);
        Set<Long> oldPairs = Set.copyOf(peers.planeB.installed.keySet());
        assertEquals(3, oldPairs.size(), "the fallback pair and one per lane of A");

        restart(peers.a);
        peers.a.initiate("site");
        peers.deliverAll();

        List<IkeSa> atB = peers.b.ikeSas();
        assertEquals(1, atB.size(), () -> atB + "\n" + peers.events);
        IkeSa fresh = atB.get(0);
        assertEquals(IkeSa.State.ESTABLISHED, fresh.state());
        assertEquals(peers.a.ikeSas().get(0).localSpi(), fresh.initiatorSpi());
        assertEquals(IkeSa.State.DESTROYED, old.state());
        assertTrue(
                peers.planeB.installed.keySet().stream().noneMatch(oldPairs::contains),
                () -> "B still holds pairs of the old IKE SA: " + peers.planeB.log);
        assertEquals(3, peers.planeB.installed.size());
        peers.assertPairsMirror();
        assertTrue(
                peers.events.stream().anyMatch(e -> e.startsWith("10.0.0.2: INITIAL_CONTACT from 10.0.0.1")),
                peers.events::toString);
        // Silently: nothing of the old IKE SA went to A, which would not know its SPIs.
        assertTrue(peers.a.counters().snapshot().isEmpty(), peers.a.counters()::toString);
    }
}
