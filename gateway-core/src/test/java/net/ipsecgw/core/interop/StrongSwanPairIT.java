package net.ipsecgw.core.interop;

import static net.ipsecgw.core.interop.InteropLab.HOST_A;
import static net.ipsecgw.core.interop.InteropLab.HOST_B;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Self-test of the interop harness: two {@link StrongSwanPeer}s on the lab's gateways A and B,
 * once with a PSK and {@code aes128gcm16-prfsha256-x25519}, once with ECDSA P-384 certificates and
 * {@code aes256gcm16-prfsha384-ecp384}. Each case proves that
 *
 * <ul>
 *   <li>A initiates, both sides list the same IKE SA and CHILD_SA (SPIs mirrored, the proposal's
 *       algorithms, UDP encapsulation on 4500 at both ends) and host A pings host B through it;
 *   <li>a CHILD_SA rekey (from A) and an IKE SA rekey (from B) while a ping runs lose at most one
 *       echo, give new SPIs and are counted on both sides;
 *   <li>the packet counters move, and an IKE SA deleted by B disappears from A.
 * </ul>
 *
 * Needs root, the lab's tools and strongSwan (installed with apt as root when missing).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrongSwanPairIT {
    /** The two cases: authentication, proposals and what charon must report for them. */
    enum Case {
        PSK_X25519(InteropSuite.AES128_X25519),
        ECDSA_P384(InteropSuite.AES256_ECP384);

        final InteropSuite suite;

        Case(InteropSuite suite) {
            this.suite = suite;
        }
    }

    private InteropLab lab;

    @BeforeAll
    void startLab() {
        InteropLab.requireLab("the strongSwan pair self-test");
        lab = InteropLab.start(InteropLab.prefix("sp"));
        StrongSwanPeer.requireStrongSwan(lab, "the strongSwan pair self-test");
    }

    @AfterAll
    void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    private LabTunnel tunnel(Case c) {
        if (c == Case.PSK_X25519) {
            return LabTunnel.psk(c.suite.ike, c.suite.esp);
        }
        Path pki = lab.work().resolve("pki-" + c.name().toLowerCase(java.util.Locale.ROOT));
        return LabTunnel.certificates(TestPki.create(TestPki.Curve.P384, pki), c.suite.ike, c.suite.esp);
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void tunnelCarriesPingSurvivesRekeysAndDeletesOnBothSides(Case c) {
        long started = System.nanoTime();
        LabTunnel tunnel = tunnel(c);
        try (StrongSwanPeer b = StrongSwanPeer.start(lab, "gb", tunnel.b());
                StrongSwanPeer a = StrongSwanPeer.start(lab, "ga", tunnel.a())) {
            a.initiate();
            SwanctlSas.IkeSa ikeA = a.awaitInstalled(Duration.ofSeconds(10));
            SwanctlSas.IkeSa ikeB = b.awaitInstalled(Duration.ofSeconds(10));
            SwanctlSas.ChildSa childA = ikeA.installed().getFirst();
            SwanctlSas.ChildSa childB = ikeB.installed().getFirst();
            assertAll(
                    () -> assertTrue(ikeA.initiator() && !ikeB.initiator(), "A initiated: " + ikeA + " / " + ikeB),
                    () -> assertEquals(ikeA.initiatorSpi(), ikeB.initiatorSpi()),
                    () -> assertEquals(ikeA.responderSpi(), ikeB.responderSpi()),
                    () -> assertEquals("AES_GCM_16", ikeA.encryption()),
                    () -> assertEquals(c.suite.keySize, ikeA.keySize()),
                    () -> assertEquals(c.suite.prf, ikeB.prf()),
                    () -> assertEquals(c.suite.group, ikeB.dhGroup()),
                    () -> assertEquals(4500, ikeA.localPort()),
                    () -> assertEquals(4500, ikeA.remotePort()),
                    () -> assertEquals(4500, ikeB.remotePort()),
                    () -> assertEquals(tunnel.a().localId(), ikeB.remoteId()),
                    () -> assertEquals(tunnel.b().localId(), ikeA.remoteId()),
                    () -> assertEquals(childA.spiIn(), childB.spiOut()),
                    () -> assertEquals(childA.spiOut(), childB.spiIn()),
                    () -> assertTrue(childA.encap() && childB.encap(), "ESP in UDP"),
                    () -> assertEquals(c.suite.keySize, childB.keySize()),
                    () -> assertEquals(tunnel.a().localTs(), childA.localTs()),
                    () -> assertEquals(tunnel.a().remoteTs(), childA.remoteTs()));
            assertEquals(5, lab.ping("ha", HOST_B, 5, Duration.ofMillis(100)), "host A -> host B");
            assertEquals(5, lab.ping("hb", HOST_A, 5, Duration.ofMillis(100)), "host B -> host A");

            // 60 echoes 50 ms apart (3 s); both rekeys happen while they run.
            InteropLab.Background ping = lab.startPing("ping-rekey", "ha", HOST_B, 60, Duration.ofMillis(50));
            sleep(400);
            a.rekeyChild();
            a.await(Duration.ofSeconds(5), "a rekeyed CHILD_SA", () -> installedChildSpiIn(a) != childA.spiIn());
            sleep(300);
            b.rekeyIke();
            b.await(Duration.ofSeconds(5), "the IKE SA rekeyed", () -> b.ikeRekeys() == 1);
            a.await(Duration.ofSeconds(5), "the IKE SA rekeyed", () -> a.ikeRekeys() == 1);
            int received = InteropLab.received(ping.await(Duration.ofSeconds(15)));
            lab.stop("ping-rekey");
            SwanctlSas.IkeSa afterA = a.awaitInstalled(Duration.ofSeconds(5));
            SwanctlSas.IkeSa afterB = b.awaitInstalled(Duration.ofSeconds(5));
            SwanctlSas.ChildSa newA = afterA.installed().getFirst();
            assertAll(
                    () -> assertTrue(received >= 59, "echoes answered during the rekeys: " + received + " of 60"),
                    () -> assertEquals(1, a.childRekeys(), "CHILD_SA rekeys seen by A"),
                    () -> assertEquals(1, b.childRekeys(), "CHILD_SA rekeys seen by B"),
                    () -> assertNotEquals(ikeA.initiatorSpi(), afterA.initiatorSpi(), "new IKE SPIs"),
                    () -> assertEquals(afterA.initiatorSpi(), afterB.initiatorSpi()),
                    () -> assertNotEquals(childA.spiIn(), newA.spiIn(), "new ESP SPIs"),
                    () -> assertEquals(1, afterA.installed().size(), "one CHILD_SA on A: " + afterA),
                    () -> assertEquals(
                            newA.spiOut(), afterB.installed().getFirst().spiIn()),
                    () -> assertTrue(newA.packetsOut() > 0 && newA.packetsIn() > 0, "traffic on " + newA));

            b.terminateIke();
            a.awaitNoIkeSa(Duration.ofSeconds(5));
            assertEquals(0, lab.ping("ha", HOST_B, 1, Duration.ofMillis(100)), "no tunnel, no echo");
        }
        System.out.printf("[%s] strongSwan pair case took %d ms%n", c, (System.nanoTime() - started) / 1_000_000);
    }

    private static long installedChildSpiIn(StrongSwanPeer peer) {
        return peer.established()
                .flatMap(sa -> sa.installed().stream().findFirst())
                .map(SwanctlSas.ChildSa::spiIn)
                .orElse(0L);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
