package net.ipsecgw.core.interop;

import static net.ipsecgw.core.interop.InteropLab.HOST_A;
import static net.ipsecgw.core.interop.InteropLab.HOST_B;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.json.BasicJsonParser;

/**
 * Our gateway (on the lab's gateway A) against strongSwan 5.9.8 (on gateway B), each as initiator
 * and as responder, with a PSK and with ECDSA certificates, with {@code
 * aes128gcm16-prfsha256-x25519} and {@code aes256gcm16-prfsha384-ecp384}:
 *
 * <ul>
 *   <li>the tunnel comes up with the proposal's algorithms, ping and iperf3 cross it; strongSwan knows
 *       neither per-CPU Child SAs (RFC 9611) nor our multiport, so exactly one CHILD_SA, ESP in UDP
 *       between port 4500 on both sides;
 *   <li>CHILD_SA and IKE SA rekeys, started by either side, while iperf3 runs lose no TCP connection;
 *   <li>our DPD clears the SAs after strongSwan is killed, and strongSwan's does after ours is;
 *   <li>a CHILD_SA or IKE SA deleted by either side is gone on the other.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrongSwanInteropIT {
    /** Who starts the IKE SA. */
    enum Initiator {
        OURS,
        STRONGSWAN
    }

    /** How the gateways authenticate. */
    enum Auth {
        PSK,
        ECDSA_P256
    }

    private InteropLab lab;
    private OurGatewayProcess ours;
    private StrongSwanPeer peer;

    @RegisterExtension
    final TestWatcher diagnostics = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (ours != null) {
                System.out.println("our gateway:\n" + ours.status() + InteropLab.tail(ours.log(), 60));
            }
            if (peer != null) {
                System.out.println("strongSwan:\n" + InteropLab.tail(peer.log(), 60));
            }
        }
    };

    @BeforeAll
    void startLab() {
        InteropLab.requireLab("the strongSwan interop test");
        lab = InteropLab.start(InteropLab.prefix("si"));
        StrongSwanPeer.requireStrongSwan(lab, "the strongSwan interop test");
    }

    @AfterEach
    void stopGateways() {
        if (peer != null) {
            peer.close();
            peer = null;
        }
        if (ours != null) {
            ours.close();
            ours = null;
        }
        lab.sh(Duration.ofSeconds(30), "traffic_stop \"$P\" \"iperf3-$TOPO_HB\"");
    }

    @AfterAll
    void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    static Stream<Arguments> everyCombination() {
        List<Arguments> all = new ArrayList<>();
        for (Initiator initiator : Initiator.values()) {
            for (Auth auth : Auth.values()) {
                for (InteropSuite suite : InteropSuite.values()) {
                    all.add(Arguments.of(initiator, auth, suite));
                }
            }
        }
        return all.stream();
    }

    private LabTunnel tunnel(Auth auth, InteropSuite suite) {
        if (auth == Auth.PSK) {
            return LabTunnel.psk(suite.ike, suite.esp);
        }
        TestPki pki = TestPki.create(TestPki.Curve.P256, lab.work().resolve("pki-" + System.nanoTime()));
        return LabTunnel.certificates(pki, suite.ike, suite.esp);
    }

    /** Starts strongSwan on B and ours on A; the initiator brings the tunnel up. Returns strongSwan's IKE SA. */
    private SwanctlSas.IkeSa connect(Initiator initiator, LabTunnel tunnel) {
        ConnectionSpec.StartAction oursStart =
                initiator == Initiator.OURS ? ConnectionSpec.StartAction.START : ConnectionSpec.StartAction.NONE;
        peer = StrongSwanPeer.start(lab, "gb", tunnel.b());
        ours = OurGatewayProcess.start(
                lab,
                "ga",
                tunnel.a().toBuilder().startAction(oursStart).build(),
                OurGatewayProcess.Options.defaults().withRetransmit(Duration.ofMillis(500), 2));
        if (initiator == Initiator.STRONGSWAN) {
            peer.initiate();
        }
        SwanctlSas.IkeSa established = peer.awaitInstalled(Duration.ofSeconds(15));
        // Both sides install on their own: wait until ours shows the pair (status once a second), which
        // it does once every lane has it.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ours.status().lines().noneMatch(line -> line.startsWith("child=")) && System.nanoTime() < deadline) {
            sleep(100);
        }
        return established;
    }

    @ParameterizedTest(name = "{0} initiates, {1}, {2}")
    @MethodSource("everyCombination")
    void tunnelComesUpWithOneSaPairOnTheNatTPortsAndCarriesPingAndIperf3(
            Initiator initiator, Auth auth, InteropSuite suite) {
        SwanctlSas.IkeSa ike = connect(initiator, tunnel(auth, suite));
        assertAll(
                () -> assertEquals(initiator == Initiator.STRONGSWAN, ike.initiator(), "initiator: " + ike),
                () -> assertEquals("AES_GCM_16", ike.encryption()),
                () -> assertEquals(suite.keySize, ike.keySize()),
                () -> assertEquals(suite.prf, ike.prf()),
                () -> assertEquals(suite.group, ike.dhGroup()),
                () -> assertEquals(4500, ike.localPort(), "strongSwan's IKE port: " + ike),
                () -> assertEquals(4500, ike.remotePort(), "our IKE port after NAT-T: " + ike),
                () -> assertEquals(peer.spec().remoteId(), ike.remoteId()),
                () -> assertEquals(1, ike.installed().size(), "one CHILD_SA, no per-CPU SAs: " + ike),
                () -> assertTrue(ike.installed().getFirst().encap(), "ESP in UDP"),
                () -> assertEquals(suite.keySize, ike.installed().getFirst().keySize()));

        // Our side shows the pair only once every lane has it, but once without this warm-up the first
        // three pings of a tunnel strongSwan had initiated were lost (cause not found; strongSwan's
        // user-space data path may still be setting up after it reports the CHILD_SA installed).
        lab.ping("ha", HOST_B, 1, Duration.ofMillis(100));
        lab.ping("hb", HOST_A, 1, Duration.ofMillis(100));
        assertEquals(5, lab.ping("ha", HOST_B, 5, Duration.ofMillis(100)), "host A -> host B");
        assertEquals(5, lab.ping("hb", HOST_A, 5, Duration.ofMillis(100)), "host B -> host A");
        Map<String, Object> iperf = iperf3(3);
        assertTrue(receivedBytes(iperf) > 0, "iperf3 received nothing: " + iperf);

        SwanctlSas.ChildSa child =
                peer.awaitInstalled(Duration.ofSeconds(5)).installed().getFirst();
        assertAll(
                () -> assertTrue(child.packetsIn() > 100 && child.packetsOut() > 100, "ESP counted: " + child),
                () -> assertEquals(
                        1,
                        peer.awaitInstalled(Duration.ofSeconds(1)).installed().size()),
                () -> assertEquals(1, distinctSpis(ours.statusSas("in")), "our inbound SAs:\n" + ours.status()),
                // every lane keeps its own copy of the one outbound SA (the fallback SA, RFC 9611)
                () -> assertEquals(1, distinctSpis(ours.statusSas("out")), "our outbound SAs:\n" + ours.status()));
    }

    /** One of the two gateways: which one rekeys (strongSwan on command, ours from its lifetimes), or restarts. */
    enum Side {
        STRONGSWAN,
        OURS
    }

    @ParameterizedTest(name = "{0} rekeys")
    @EnumSource(Side.class)
    void childAndIkeRekeysWhileIperf3RunsLoseNoTcpConnection(Side rekeyer) {
        LabTunnel tunnel = LabTunnel.psk(InteropSuite.AES128_X25519.ike, InteropSuite.AES128_X25519.esp);
        if (rekeyer == Side.OURS) {
            // Ours rekeys the CHILD_SA after 5 s and the IKE SA after 9 s; strongSwan would wait an hour.
            tunnel = tunnel.sideA(b -> b.childLifetimes(Duration.ofSeconds(5), Duration.ofSeconds(30))
                    .ikeLifetimes(Duration.ofSeconds(9), Duration.ZERO));
        }
        connect(Initiator.OURS, tunnel);
        long firstSpi = peer.awaitInstalled(Duration.ofSeconds(1))
                .installed()
                .getFirst()
                .spiIn();
        lab.sh(Duration.ofSeconds(20), "traffic_iperf3_server \"$P\" \"$TOPO_HB\" 5201")
                .orThrow("iperf3 -s");
        InteropLab.Background iperf = lab.start(
                "iperf3-client",
                "ha",
                "iperf3",
                "-c",
                HOST_B,
                "-P",
                "4",
                "-t",
                "14",
                "-J",
                "--connect-timeout",
                "5000");
        if (rekeyer == Side.STRONGSWAN) {
            sleep(3000);
            peer.rekeyChild();
            sleep(3000);
            peer.rekeyIke();
        }
        InteropLab.Result result = iperf.await(Duration.ofSeconds(40));
        Map<String, Object> json = new BasicJsonParser().parseMap(result.stdout());
        SwanctlSas.IkeSa after = peer.awaitInstalled(Duration.ofSeconds(5));
        assertAll(
                () -> assertEquals(0, result.exitCode(), "iperf3: " + result),
                () -> assertNull(json.get("error"), "iperf3: " + result),
                () -> assertTrue(receivedBytes(json) > 0, "iperf3: " + result),
                () -> assertTrue(peer.childRekeys() >= 1, "CHILD_SA rekeys seen by strongSwan"),
                () -> assertTrue(peer.ikeRekeys() >= 1, "IKE SA rekeys seen by strongSwan"),
                () -> assertTrue(after.installed().getFirst().spiIn() != firstSpi, "new ESP SPIs: " + after),
                () -> assertEquals(1, after.installed().size(), "one CHILD_SA after the rekeys: " + after));
    }

    @ParameterizedTest(name = "{0} initiates")
    @EnumSource(Initiator.class)
    void oursClearsTheSasWhenDpdFindsKilledStrongSwanDead(Initiator initiator) {
        connect(
                initiator,
                LabTunnel.psk(InteropSuite.AES128_X25519.ike, InteropSuite.AES128_X25519.esp)
                        .sideA(b -> b.dpd(Duration.ofSeconds(2), ConnectionSpec.DpdAction.CLEAR)));
        assertEquals(1, ours.statusSas("in").size(), "our inbound SAs:\n" + ours.status());
        peer.kill9();
        // 2 s without traffic, then a DPD request retransmitted twice (0.5 s, then 0.9 s): well under 15 s.
        ours.await(
                Duration.ofSeconds(15),
                "without SAs after the peer died",
                () -> ours.statusSas("in").isEmpty() && ours.statusSas("out").isEmpty());
        assertTrue(ours.alive(), "our gateway survives its peer");
    }

    @ParameterizedTest(name = "{0} initiates")
    @EnumSource(Initiator.class)
    void strongSwanClearsTheSasWhenDpdFindsKilledOursDead(Initiator initiator) {
        LabTunnel tunnel = LabTunnel.psk(InteropSuite.AES128_X25519.ike, InteropSuite.AES128_X25519.esp)
                .sideB(b -> b.dpd(Duration.ofSeconds(2), ConnectionSpec.DpdAction.CLEAR));
        peer = StrongSwanPeer.start(
                lab, "gb", tunnel.b(), StrongSwanPeer.Options.defaults().withRetransmit(Duration.ofMillis(500), 2));
        ours = OurGatewayProcess.start(
                lab,
                "ga",
                tunnel.a().toBuilder()
                        .startAction(
                                initiator == Initiator.OURS
                                        ? ConnectionSpec.StartAction.START
                                        : ConnectionSpec.StartAction.NONE)
                        .build());
        if (initiator == Initiator.STRONGSWAN) {
            peer.initiate();
        }
        peer.awaitInstalled(Duration.ofSeconds(15));
        ours.kill9();
        peer.awaitNoIkeSa(Duration.ofSeconds(15));
    }

    @ParameterizedTest(name = "{0} initiates")
    @EnumSource(Initiator.class)
    void childSaDeletedByStrongSwanIsGoneFromOurs(Initiator initiator) {
        connect(initiator, LabTunnel.psk(InteropSuite.AES128_X25519.ike, InteropSuite.AES128_X25519.esp));
        peer.terminateChild();
        ours.await(
                Duration.ofSeconds(5), "without SAs", () -> ours.statusSas("in").isEmpty());
        peer.awaitNoChildSa(Duration.ofSeconds(5));
        assertEquals(0, lab.ping("ha", HOST_B, 1, Duration.ofMillis(100)), "no CHILD_SA, no echo");
    }

    @ParameterizedTest(name = "{0} initiates")
    @EnumSource(Initiator.class)
    void ikeSaDeletedByStrongSwanIsGoneFromOurs(Initiator initiator) {
        connect(initiator, LabTunnel.psk(InteropSuite.AES128_X25519.ike, InteropSuite.AES128_X25519.esp));
        peer.terminateIke();
        ours.await(
                Duration.ofSeconds(5), "without SAs", () -> ours.statusSas("in").isEmpty());
        assertTrue(ours.alive());
    }

    @ParameterizedTest(name = "{0} initiates")
    @EnumSource(Initiator.class)
    void ikeSaDeletedByOursOnShutdownIsGoneFromStrongSwan(Initiator initiator) {
        connect(initiator, LabTunnel.psk(InteropSuite.AES128_X25519.ike, InteropSuite.AES128_X25519.esp));
        ours.stop(); // SIGTERM: the control plane deletes its IKE SAs before the data path stops
        peer.awaitNoIkeSa(Duration.ofSeconds(5));
        assertTrue(peer.log().toLowerCase(Locale.ROOT).contains("received delete for ike_sa"), "DELETE received");
    }

    /**
     * The side that comes back after a SIGKILL says INITIAL_CONTACT in its IKE_AUTH (RFC 7296 §3.10.1),
     * and the other drops the IKE SA and CHILD_SA it still held with it at once, before DPD (off here)
     * could have found them dead.
     */
    @ParameterizedTest(name = "{0} restarts")
    @EnumSource(Side.class)
    void theRestartedSidesInitialContactClearsTheStaleSasAtTheOther(Side restarter) {
        LabTunnel tunnel = LabTunnel.psk(InteropSuite.AES128_X25519.ike, InteropSuite.AES128_X25519.esp);
        if (restarter == Side.OURS) {
            SwanctlSas.IkeSa old = connect(Initiator.OURS, tunnel);
            ours.kill9();
            ours = OurGatewayProcess.start(
                    lab,
                    "ga",
                    tunnel.a().toBuilder()
                            .startAction(ConnectionSpec.StartAction.START)
                            .build());
            peer.await(
                    Duration.ofSeconds(15),
                    "one IKE SA, a new one with a CHILD_SA",
                    () -> peer.listSas().size() == 1
                            && peer.listSas().getFirst().uniqueId() != old.uniqueId()
                            && !peer.listSas().getFirst().installed().isEmpty());
            assertTrue(
                    peer.log().contains("received INITIAL_CONTACT"),
                    () -> "strongSwan did not act on INITIAL_CONTACT:\n" + InteropLab.tail(peer.log(), 40));
        } else {
            connect(Initiator.STRONGSWAN, tunnel);
            peer.kill9();
            peer = StrongSwanPeer.start(lab, "gb", tunnel.b());
            peer.initiate();
            SwanctlSas.IkeSa fresh = peer.awaitInstalled(Duration.ofSeconds(15));
            String expected = String.format("0x%x", fresh.installed().getFirst().spiOut());
            ours.await(
                    Duration.ofSeconds(5),
                    "one IKE SA whose CHILD_SA is strongSwan's new one",
                    () -> ours.status()
                                            .lines()
                                            .filter(l -> l.startsWith("ike="))
                                            .count()
                                    == 1
                            && ours.statusSas("in").stream()
                                    .map(sa -> sa.get("spi"))
                                    .distinct()
                                    .toList()
                                    .equals(List.of(expected)));
            assertTrue(ours.log().contains("INITIAL_CONTACT from"), () -> "our log:\n" + ours.log());
        }
        lab.ping("ha", HOST_B, 1, Duration.ofMillis(100));
        assertEquals(5, lab.ping("ha", HOST_B, 5, Duration.ofMillis(100)), "host A -> host B");
        assertEquals(5, lab.ping("hb", HOST_A, 5, Duration.ofMillis(100)), "host B -> host A");
    }

    private Map<String, Object> iperf3(int seconds) {
        lab.sh(Duration.ofSeconds(20), "traffic_iperf3_server \"$P\" \"$TOPO_HB\" 5201")
                .orThrow("iperf3 -s");
        InteropLab.Result r = lab.inNs(
                Duration.ofSeconds(seconds + 30L),
                "ha",
                "iperf3",
                "-c",
                HOST_B,
                "-t",
                String.valueOf(seconds),
                "-J",
                "--connect-timeout",
                "5000");
        try {
            Files.writeString(lab.work().resolve("iperf3-" + System.nanoTime() + ".json"), r.stdout());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(0, r.exitCode(), () -> "iperf3: " + r);
        return new BasicJsonParser().parseMap(r.stdout());
    }

    private static long receivedBytes(Map<String, Object> iperf) {
        Map<?, ?> end = (Map<?, ?>) iperf.get("end");
        Map<?, ?> received = end == null ? null : (Map<?, ?>) end.get("sum_received");
        return received == null ? 0 : ((Number) received.get("bytes")).longValue();
    }

    private static long distinctSpis(List<Map<String, String>> sas) {
        return sas.stream().map(sa -> sa.get("spi")).distinct().count();
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
