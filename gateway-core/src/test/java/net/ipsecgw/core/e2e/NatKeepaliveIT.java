package net.ipsecgw.core.e2e;

import static net.ipsecgw.core.interop.InteropLab.BLACK_A;
import static net.ipsecgw.core.interop.InteropLab.BLACK_B;
import static net.ipsecgw.core.interop.InteropLab.HOST_A;
import static net.ipsecgw.core.interop.InteropLab.HOST_B;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import net.ipsecgw.core.interop.ConnectionSpec;
import net.ipsecgw.core.interop.InteropLab;
import net.ipsecgw.core.interop.LabTunnel;
import net.ipsecgw.core.interop.OurGatewayProcess;
import net.ipsecgw.testing.Privileges;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * NAT keepalives (RFC 3948 §4) through a real NAT: the lab with a masquerading nftables router between
 * the gateways ({@code topo_nat_up}), gateway A at 10.201.3.1 behind it (seen by B as the NAT's
 * 10.201.0.1), two of our gateways with per-CPU SAs and multiport, keepalives every second.
 *
 * <ul>
 *   <li>NAT detection: A reports the NAT in front of itself ({@code nat=both}: its own and the one B
 *       fakes to force encapsulation), B only the peer's ({@code nat=there});
 *   <li>A, behind the NAT, does not offer multiport (B's per-CPU ESP from B's lane ports would match none
 *       of the NAT's mappings): both send from port 4500 only, and hosts A and B ping each other through
 *       the tunnel;
 *   <li>B's black link sees one-octet 0xFF datagrams from the NAT's port 4500, about one per second; B
 *       counts them in its lanes' {@code keepalives=}; A, not behind a NAT, receives none from B;
 *   <li>once B deleted the IKE SA (on shutdown), A sends no more keepalives.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatKeepaliveIT {
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(30);
    /** A tcpdump line of one keepalive: {@code IP 10.201.0.1.4500 > 10.201.0.2.4500: UDP, length 1}. */
    private static final Pattern KEEPALIVE = Pattern.compile("IP (\\d+\\.\\d+\\.\\d+\\.\\d+)\\.(\\d+) > ");

    private static final String GA_PRIVATE = "10.201.3.1";

    private InteropLab lab;
    private OurGatewayProcess a;
    private OurGatewayProcess b;

    @RegisterExtension
    final TestWatcher diagnostics = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            for (OurGatewayProcess g :
                    List.of(a, b).stream().filter(x -> x != null).toList()) {
                System.out.println(
                        g + " status:\n" + g.status() + "log (last 60 lines):\n" + InteropLab.tail(g.log(), 60));
            }
        }
    };

    @BeforeAll
    void startLab() {
        InteropLab.requireLab("the NAT keepalive test");
        Privileges.requireProgram("nft", "nftables");
        lab = InteropLab.start(InteropLab.prefix("nk"));
        lab.sh(Duration.ofSeconds(60), "topo_nat_up \"$P\"").orThrow("topo_nat_up");
    }

    @AfterAll
    void stopLab() {
        for (OurGatewayProcess g : List.of(a, b).stream().filter(x -> x != null).toList()) {
            g.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theGatewayBehindTheNatKeepsEachOfItsPortsMappedUntilItsIkeSaIsGone() {
        LabTunnel tunnel = LabTunnel.psk("aes128gcm16-prfsha256-x25519", "aes128gcm16")
                .sideA(s -> s.addresses(GA_PRIVATE, BLACK_B).startAction(ConnectionSpec.StartAction.START));
        OurGatewayProcess.Options options = OurGatewayProcess.Options.defaults().withKeepalive(Duration.ofSeconds(1));
        b = OurGatewayProcess.start(lab, "gb", tunnel.b(), options);
        a = OurGatewayProcess.start(lab, "ga", tunnel.a(), options);
        a.await(UP_TIMEOUT, "established with 3 Child SA pairs", () -> established(a, 3));
        b.await(UP_TIMEOUT, "established with 3 Child SA pairs", () -> established(b, 3));
        IkeStatusSnapshot upA = IkeStatusSnapshot.parse(a.status());
        IkeStatusSnapshot upB = IkeStatusSnapshot.parse(b.status());
        assertAll(
                () -> assertEquals("both", upA.ike().get("nat"), "A is behind the NAT:\n" + upA),
                () -> assertEquals("there", upB.ike().get("nat"), "B is not:\n" + upB),
                () -> assertEquals(BLACK_A, upB.ike().get("remote").split(":")[0], "B sees the NAT:\n" + upB),
                () -> assertEquals("false", upA.ike().get("multiport"), "no multiport behind a NAT:\n" + upA),
                () -> assertEquals("false", upB.ike().get("multiport"), "nor towards one:\n" + upB));
        assertAll(
                () -> assertEquals(5, lab.ping("ha", HOST_B, 5, Duration.ofMillis(100)), "host A -> host B"),
                () -> assertEquals(5, lab.ping("hb", HOST_A, 5, Duration.ofMillis(100)), "host B -> host A"));

        // Four seconds of B's black link: the keepalives that crossed the NAT, by source.
        Map<String, Integer> bySource = keepalives("gb", Duration.ofSeconds(4));
        Set<String> expected = new TreeSet<>(Set.of(BLACK_A + ".4500"));
        Instant now = Instant.now();
        IkeStatusSnapshot sA = IkeStatusSnapshot.parse(a.statusAfter(now));
        IkeStatusSnapshot sB = IkeStatusSnapshot.parse(b.statusAfter(now));
        long receivedByB = keepalivesCounted(sB);
        long receivedByA = keepalivesCounted(sA);
        System.out.printf(
                "[NAT] keepalives on B's black link in 4 s by source %s; counted by B %d, by A %d%n",
                bySource, receivedByB, receivedByA);
        assertAll(
                () -> assertEquals(expected, bySource.keySet(), "from port 4500 of A, which uses no other"),
                () -> assertTrue(
                        bySource.values().stream().allMatch(n -> n >= 2 && n <= 6), "about one a second: " + bySource),
                () -> assertTrue(receivedByB >= bySource.size() * 2L, "B's lanes counted " + receivedByB),
                () -> assertEquals(0, receivedByA, "B is not behind a NAT: it sends none"));

        // B deletes the IKE SA when it stops; A's keepalives stop with it.
        b.stop();
        a.await(Duration.ofSeconds(10), "without IKE SA", () -> {
            try {
                return IkeStatusSnapshot.parse(a.status()).ikeSas().isEmpty();
            } catch (RuntimeException e) {
                return false;
            }
        });
        Map<String, Integer> after = keepalives("ga", Duration.ofSeconds(3));
        assertEquals(Map.of(), after, "A sent keepalives after its IKE SA was gone");
    }

    /** Keepalives (UDP with one 0xFF octet) seen on {@code role}'s black link for {@code window}, by source. */
    private Map<String, Integer> keepalives(String role, Duration window) {
        InteropLab.Result dump = lab.inNs(
                window.plusSeconds(10),
                role,
                "timeout",
                String.valueOf(window.toSeconds()),
                "tcpdump",
                "-i",
                "black",
                "-nn",
                "-l",
                "udp and udp[4:2] = 9 and udp[8] = 0xff");
        Map<String, Integer> bySource = new TreeMap<>();
        Matcher m = KEEPALIVE.matcher(dump.stdout());
        while (m.find()) {
            bySource.merge(m.group(1) + "." + m.group(2), 1, Integer::sum);
        }
        return bySource;
    }

    private static long keepalivesCounted(IkeStatusSnapshot s) {
        return IntStream.range(0, s.lanes().size())
                .mapToLong(k -> s.lane(k, "keepalives"))
                .sum();
    }

    private static boolean established(OurGatewayProcess gateway, int children) {
        try {
            return IkeStatusSnapshot.parse(gateway.status()).established(children);
        } catch (RuntimeException e) {
            return false; // the file is being rewritten
        }
    }
}
