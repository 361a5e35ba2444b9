package net.ipsecgw.ike.sa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.dataplane.IkeSaPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What NAT detection (RFC 7296 §2.23) tells the data path for its NAT keepalives (RFC 3948 §4): an
 * established IKE SA announces its path ({@link IkeSaPath}) with {@code natHere} only on the side
 * whose address a NAT translated (the peer's NAT_DETECTION_DESTINATION_IP does not match), not on the
 * side that only sees the peer translated (or faked, as this gateway's forced encapsulation does); the
 * path follows the peer when its NAT mapping changes, and is withdrawn when the IKE SA goes.
 */
@Timeout(60)
class IkeNatDetectionTest {
    private static final InetAddress PUBLIC_A = address("192.0.2.1");
    private static final InetAddress PUBLIC_B = address("192.0.2.2");

    /** A initiates to {@code bAddress}; B answers anyone who authenticates as A's address. */
    private static TwoPeers peers(String bAddress) {
        ConnectionConfig atA = TwoPeers.pskConnection(bAddress)
                .remoteId(TwoPeers.B.getHostAddress())
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .startAction(ConnectionConfig.StartAction.NONE)
                .build();
        ConnectionConfig atB = TwoPeers.pskConnection(ConnectionConfig.ANY)
                .remoteId(TwoPeers.A.getHostAddress())
                .localTs(List.of("10.2.0.0/16"))
                .remoteTs(List.of("10.1.0.0/16"))
                .startAction(ConnectionConfig.StartAction.NONE)
                .build();
        return new TwoPeers(2, 2, atA, atB);
    }

    private static IkeSaPath onlyPath(RecordingDataPlane plane) {
        assertEquals(1, plane.paths.size(), () -> "paths: " + plane.paths);
        return plane.paths.values().iterator().next();
    }

    @Test
    void withoutNatNeitherSideIsBehindOneAndBothSeeThePeerOnItsNatTPort() {
        TwoPeers peers = peers(TwoPeers.B.getHostAddress());
        peers.a.initiate("site");
        peers.deliverAll();

        IkeSaPath atA = onlyPath(peers.planeA);
        IkeSaPath atB = onlyPath(peers.planeB);
        assertFalse(atA.natHere(), atA.toString());
        assertFalse(atB.natHere(), atB.toString());
        assertEquals(TwoPeers.at(TwoPeers.B, 4500), atA.remote());
        assertEquals(TwoPeers.at(TwoPeers.A, 4500), atB.remote());
        assertEquals(peers.a.current("site").localSpi(), atA.id());
        assertEquals("site", atA.tunnel());
        // Each side fakes its NAT_DETECTION_SOURCE_IP to force UDP encapsulation: each sees a NAT there.
        assertTrue(peers.a.current("site").natThere() && peers.b.current("site").natThere());
        assertFalse(peers.a.current("site").natHere() || peers.b.current("site").natHere());
        assertTrue(
                peers.a.current("site").multiport() && peers.b.current("site").multiport(), "no NAT: multiport");
    }

    @Test
    void aNatInFrontOfTheInitiatorIsHereForItAndOnlyThereForTheResponder() {
        TwoPeers peers = peers(TwoPeers.B.getHostAddress());
        peers.nats.add(new TwoPeers.Nat(TwoPeers.A, PUBLIC_A, 30000));
        peers.a.initiate("site");
        peers.deliverAll();

        IkeSaPath atA = onlyPath(peers.planeA);
        IkeSaPath atB = onlyPath(peers.planeB);
        assertTrue(atA.natHere(), "A's address is translated: " + atA);
        assertFalse(atB.natHere(), "B's is not: " + atB);
        assertEquals(TwoPeers.at(TwoPeers.B, 4500), atA.remote());
        assertEquals(TwoPeers.at(PUBLIC_A, 34500), atB.remote(), "B reaches A through A's NAT mapping");
        assertEquals(3, peers.planeA.installed.size(), "the tunnel came up through the NAT");
        assertEquals(3, peers.planeB.installed.size());
        // A's NAT would drop B's per-CPU ESP from B's lane ports: A offers no multiport, so neither uses it
        assertFalse(
                peers.a.current("site").multiport() || peers.b.current("site").multiport());
    }

    @Test
    void aNatInFrontOfTheResponderIsHereForItOnly() {
        TwoPeers peers = peers(PUBLIC_B.getHostAddress());
        peers.nats.add(new TwoPeers.Nat(TwoPeers.B, PUBLIC_B, 0)); // forwards 500 and 4500 to B
        peers.a.initiate("site");
        peers.deliverAll();

        assertFalse(onlyPath(peers.planeA).natHere());
        assertTrue(onlyPath(peers.planeB).natHere());
        assertEquals(TwoPeers.at(PUBLIC_B, 4500), onlyPath(peers.planeA).remote());
        // B, behind the NAT, does not accept multiport
        assertFalse(
                peers.a.current("site").multiport() || peers.b.current("site").multiport());
    }

    @Test
    void thePathFollowsAPeerWhoseNatMappingChangesAndGoesWithTheIkeSa() {
        TwoPeers peers = peers(PUBLIC_B.getHostAddress());
        TwoPeers.Nat natB = new TwoPeers.Nat(TwoPeers.B, PUBLIC_B, 0);
        peers.nats.add(new TwoPeers.Nat(TwoPeers.A, PUBLIC_A, 30000));
        peers.nats.add(natB);
        peers.a.initiate("site");
        peers.deliverAll();
        IkeSaPath before = onlyPath(peers.planeA);
        assertTrue(before.natHere() && onlyPath(peers.planeB).natHere(), "a NAT in front of each");

        // B's NAT forgets its mapping: B's next request (a Child SA rekey) leaves from another port.
        natB.portOffset = 1000;
        long child = peers.planeB.installed.keySet().iterator().next();
        peers.b.expired(child, false);
        peers.deliverAll();

        IkeSaPath after = onlyPath(peers.planeA);
        assertEquals(before.id(), after.id(), "the same IKE SA");
        assertEquals(TwoPeers.at(PUBLIC_B, 5500), after.remote(), "A's keepalives follow B");
        assertTrue(after.natHere());
        assertEquals(3, peers.planeA.installed.size(), "the rekey went through: " + peers.events);

        // An IKE SA rekey announces the new IKE SA and withdraws the old one.
        peers.a.rekey("site");
        peers.deliverAll();
        IkeSaPath rekeyed = onlyPath(peers.planeA);
        assertNotEquals(before.id(), rekeyed.id());
        assertEquals(peers.a.current("site").localSpi(), rekeyed.id());
        assertTrue(rekeyed.natHere(), "the new IKE SA keeps what NAT detection found");

        peers.b.terminate("site");
        peers.deliverAll();
        assertTrue(peers.planeA.paths.isEmpty(), "gone with the IKE SA: " + peers.planeA.paths);
        assertTrue(peers.planeB.paths.isEmpty(), "gone with the IKE SA: " + peers.planeB.paths);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
