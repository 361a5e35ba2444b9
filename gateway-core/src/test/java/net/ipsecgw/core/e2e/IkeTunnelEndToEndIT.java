package net.ipsecgw.core.e2e;

import static net.ipsecgw.core.interop.InteropLab.BLACK_A;
import static net.ipsecgw.core.interop.InteropLab.BLACK_B;
import static net.ipsecgw.core.interop.InteropLab.HOST_A;
import static net.ipsecgw.core.interop.InteropLab.HOST_B;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.ipsecgw.core.interop.ConnectionSpec;
import net.ipsecgw.core.interop.InteropLab;
import net.ipsecgw.core.interop.LabTunnel;
import net.ipsecgw.core.interop.OurGatewayProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.json.BasicJsonParser;

/**
 * Two of our gateways, each its own process on the four-namespace lab ({@link InteropLab}), key their
 * tunnel with IKEv2 (PSK, {@code aes128gcm16-prfsha256-x25519}, ESP {@code aes128gcm16}) with RFC 9611
 * per-CPU Child SAs and multiport on (the defaults); gateway A initiates. With two lanes on each side:
 *
 * <ul>
 *   <li>both sides report one established IKE SA with {@code per_cpu=true multiport=true} and 1 + 2
 *       Child SA pairs: a fallback pair and one per lane, each per-CPU pair's inbound SPI steering to
 *       its own lane ({@code SPI mod 2 == lane}); each side's outbound SPIs are the other's inbound
 *       SPIs; the fallback sends from port 4500, each per-CPU pair from its lane's own source port
 *       (distinct, as announced at start-up);
 *   <li>under a 16-stream {@code iperf3} transfer, gateway A's black link carries only ESP in UDP to
 *       port 4500, each SPI from one sender: the per-CPU SAs from their lane's port, the fallback from
 *       4500, never an inner packet in clear;
 *   <li>afterwards every lane of both gateways has sent and received ESP, and each per-CPU SA was
 *       processed by one lane only (inbound: the lane its SPI steers to; outbound: its own lane);
 *       neither log has an exception.
 * </ul>
 *
 * Also: one lane against two lanes (either side initiating) comes up and carries traffic both ways,
 * and two lanes on io_uring on each side come up with one SA per lane and carry traffic on every lane.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IkeTunnelEndToEndIT {
    private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w$.]+\\(");
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern CHILD_INSTALLED = Pattern.compile("(?m)^(\\S+Z) ike .*: Child SA installed");
    private static final Pattern ESTABLISHED_IN = Pattern.compile("IKE SA established with .* in (\\d+) ms");

    private InteropLab lab;
    private OurGatewayProcess a;
    private OurGatewayProcess b;

    /** The symmetric pair's state after {@link #twoLanesEachBringUpTheFallbackAndOneSaPerLane()}. */
    private IkeStatusSnapshot upA;

    private IkeStatusSnapshot upB;

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
        InteropLab.requireLab("the IKE tunnel end-to-end test");
        lab = InteropLab.start(InteropLab.prefix("ie"));
    }

    @AfterAll
    void stopLab() {
        stopGateways();
        if (lab != null) {
            lab.close();
            lab = null;
        }
    }

    private void stopGateways() {
        if (a != null) {
            a.close();
            a = null;
        }
        if (b != null) {
            b.close();
            b = null;
        }
        upA = null;
        upB = null;
        if (lab != null) {
            lab.sh(Duration.ofSeconds(30), "traffic_stop \"$P\" capture-ga; traffic_stop \"$P\" \"iperf3-$TOPO_HB\"");
        }
    }

    // ---- two lanes each, epoll: orders 1-3 share one gateway pair ----

    @Test
    @Order(1)
    void twoLanesEachBringUpTheFallbackAndOneSaPerLane() {
        bringUp(List.of(0, 1), List.of(0, 1), "epoll", 3);
        upA = IkeStatusSnapshot.parse(a.status());
        upB = IkeStatusSnapshot.parse(b.status());
        System.out.printf("gateway A:%n%sgateway B:%n%s", upA, upB);
        List<Executable> checks = new ArrayList<>();
        checkPerLaneSas("A", upA, a.sourcePorts(), 2, checks);
        checkPerLaneSas("B", upB, b.sourcePorts(), 2, checks);
        checkMirrored(upA, upB, checks);
        checks.add(() -> assertEquals("initiator", upA.ike().get("role")));
        checks.add(() -> assertEquals("responder", upB.ike().get("role")));
        assertAll(checks);
        assertEquals(5, lab.ping("ha", HOST_B, 5, Duration.ofMillis(200)), "host A -> host B");
        assertEquals(5, lab.ping("hb", HOST_A, 5, Duration.ofMillis(200)), "host B -> host A");
    }

    @Test
    @Order(2)
    void iperf3CrossesAsEspFromEachLanesOwnPortOnly() throws IOException {
        requireSymmetricPair();
        Path pcap = startCapture();
        long bytes;
        try {
            bytes = iperf3(16, 5);
        } finally {
            lab.sh(Duration.ofSeconds(30), "traffic_stop \"$P\" capture-ga");
        }
        assertTrue(bytes > 0, "iperf3 moved nothing");
        BlackLinkCapture capture = readCapture(pcap);
        System.out.printf(
                "[2x2 epoll] black link of gateway A: %d packets, %d between the gateways, %d ESP (%d octets);"
                        + " senders by SPI %s%n",
                capture.lines(), capture.between(), capture.esp(), capture.espBytes(), hexKeys(capture.sendersBySpi()));
        List<Executable> checks = new ArrayList<>();
        // In octets: the capture sees a UDP GSO send as one packet.
        checks.add(() -> assertTrue(capture.espBytes() > 3_000_000, () -> "too little ESP captured: " + capture));
        checkCapture(capture, upA, upB, false, checks);
        assertAll(checks);
        Files.deleteIfExists(pcap); // kept only when an assertion above failed
    }

    @Test
    @Order(3)
    void everyLaneCarriedTrafficAndEachPerCpuSaStayedOnOneLane() {
        requireSymmetricPair();
        Instant now = Instant.now();
        IkeStatusSnapshot sA = IkeStatusSnapshot.parse(a.statusAfter(now));
        IkeStatusSnapshot sB = IkeStatusSnapshot.parse(b.statusAfter(now));
        System.out.printf("[2x2 epoll] after iperf3, gateway A:%n%sgateway B:%n%s", sA, sB);
        List<Executable> checks = new ArrayList<>();
        checkEveryLaneBusy("A", sA, 2, checks);
        checkEveryLaneBusy("B", sB, 2, checks);
        checkOneLanePerSa("A", sA, 2, checks);
        checkOneLanePerSa("B", sB, 2, checks);
        // The same pairs as at start-up: nothing was rekeyed or renegotiated under load.
        checks.add(() -> assertEquals(spis(upA), spis(sA), "gateway A's Child SAs changed"));
        checks.add(() -> assertEquals(spis(upB), spis(sB), "gateway B's Child SAs changed"));
        checkLogs(checks);
        assertAll(checks);
        stopGateways();
    }

    // ---- one lane against two ----

    @ParameterizedTest(name = "gateway A with {0} lane(s) initiates to gateway B with {1}")
    @CsvSource({"1, 2", "2, 1"})
    @Order(4)
    void oneLaneAgainstTwoComesUpAndCarriesTraffic(int lanesA, int lanesB) throws IOException {
        stopGateways();
        List<Integer> cpusA = IntStream.range(0, lanesA).boxed().toList();
        List<Integer> cpusB = IntStream.range(0, lanesB).boxed().toList();
        // The initiator asks for one per-CPU SA per lane of its own; the responder accepts up to twice
        // its lanes, so the pair count follows the initiator.
        int children = 1 + lanesA;
        bringUp(cpusA, cpusB, "epoll", children);
        IkeStatusSnapshot sA = IkeStatusSnapshot.parse(a.status());
        IkeStatusSnapshot sB = IkeStatusSnapshot.parse(b.status());
        System.out.printf("[%dx%d epoll] gateway A:%n%sgateway B:%n%s", lanesA, lanesB, sA, sB);
        List<Executable> checks = new ArrayList<>();
        for (var side : List.of(Map.entry("A", sA), Map.entry("B", sB))) {
            IkeStatusSnapshot s = side.getValue();
            checks.add(() -> assertEquals("true", s.ike().get("per_cpu"), side.getKey() + ":\n" + s));
            checks.add(() -> assertEquals("true", s.ike().get("multiport"), side.getKey() + ":\n" + s));
            checks.add(() -> assertEquals(1, s.fallbackChildren().size(), side.getKey() + " fallback pairs:\n" + s));
            int n = s.lanes().size();
            for (IkeStatusSnapshot.Child c : s.children()) {
                checks.add(() -> assertEquals(
                        c.inboundSpi() % n, c.inboundLane(), side.getKey() + ": inbound SAD lane of " + c));
            }
        }
        checkMirrored(sA, sB, checks);
        assertAll(checks);
        Path pcap = startCapture();
        long bytes;
        try {
            assertEquals(5, lab.ping("ha", HOST_B, 5, Duration.ofMillis(200)), "host A -> host B");
            assertEquals(5, lab.ping("hb", HOST_A, 5, Duration.ofMillis(200)), "host B -> host A");
            bytes = iperf3(8, 3);
        } finally {
            lab.sh(Duration.ofSeconds(30), "traffic_stop \"$P\" capture-ga");
        }
        assertTrue(bytes > 0, "iperf3 moved nothing");
        Instant now = Instant.now();
        IkeStatusSnapshot afterA = IkeStatusSnapshot.parse(a.statusAfter(now));
        IkeStatusSnapshot afterB = IkeStatusSnapshot.parse(b.statusAfter(now));
        BlackLinkCapture capture = readCapture(pcap);
        System.out.printf(
                "[%dx%d epoll] black link of gateway A: %d packets, %d ESP; senders by SPI %s%n",
                lanesA, lanesB, capture.lines(), capture.esp(), hexKeys(capture.sendersBySpi()));
        System.out.printf(
                "[%dx%d epoll] iperf3 -P 8 -t 3: %d bytes; gateway A:%n%sgateway B:%n%s",
                lanesA, lanesB, bytes, afterA, afterB);
        List<Executable> after = new ArrayList<>();
        for (var side : List.of(Map.entry("A", afterA), Map.entry("B", afterB))) {
            IkeStatusSnapshot s = side.getValue();
            long in = IntStream.range(0, s.lanes().size())
                    .mapToLong(k -> s.lane(k, "esp-in"))
                    .sum();
            long out = IntStream.range(0, s.lanes().size())
                    .mapToLong(k -> s.lane(k, "esp-out"))
                    .sum();
            // Data one way, acknowledgements the other: about one for ten segments, since each gateway
            // hands its host TCP super-packets.
            after.add(() -> assertTrue(
                    Math.max(in, out) > 1000 && Math.min(in, out) > 100,
                    () -> side.getKey() + " ESP in/out " + in + "/" + out + " after iperf3 moved " + bytes + " bytes:\n"
                            + s));
        }
        checkOneLanePerSa("A", afterA, lanesA, after);
        checkOneLanePerSa("B", afterB, lanesB, after);
        checkCapture(capture, afterA, afterB, true, after);
        checkLogs(after);
        assertAll(after);
        Files.deleteIfExists(pcap);
        stopGateways();
    }

    // ---- io_uring ----

    @Test
    @Order(5)
    void ioUringLanesBringUpOneSaPerLaneAndCarryTrafficOnEveryLane() {
        stopGateways();
        bringUp(List.of(0, 1), List.of(0, 1), "io_uring", 3);
        IkeStatusSnapshot sA = IkeStatusSnapshot.parse(a.status());
        IkeStatusSnapshot sB = IkeStatusSnapshot.parse(b.status());
        List<Executable> checks = new ArrayList<>();
        checkPerLaneSas("A", sA, a.sourcePorts(), 2, checks);
        checkPerLaneSas("B", sB, b.sourcePorts(), 2, checks);
        checkMirrored(sA, sB, checks);
        assertAll(checks);
        long bytes = iperf3(16, 3);
        assertTrue(bytes > 0, "iperf3 moved nothing");
        Instant now = Instant.now();
        IkeStatusSnapshot afterA = IkeStatusSnapshot.parse(a.statusAfter(now));
        IkeStatusSnapshot afterB = IkeStatusSnapshot.parse(b.statusAfter(now));
        System.out.printf("[2x2 io_uring] after iperf3, gateway A:%n%sgateway B:%n%s", afterA, afterB);
        List<Executable> after = new ArrayList<>();
        checkEveryLaneBusy("A", afterA, 2, after);
        checkEveryLaneBusy("B", afterB, 2, after);
        checkOneLanePerSa("A", afterA, 2, after);
        checkOneLanePerSa("B", afterB, 2, after);
        checkLogs(after);
        assertAll(after);
        stopGateways();
    }

    // ---- helpers ----

    /**
     * Starts gateway B (responder) and then gateway A (initiator, start action initiate) with lanes on
     * {@code cpusA} and {@code cpusB}; waits until both report one established IKE SA with {@code
     * children} Child SA pairs installed. Returns the milliseconds from gateway A's start to then.
     */
    private long bringUp(List<Integer> cpusA, List<Integer> cpusB, String transport, int children) {
        LabTunnel tunnel = LabTunnel.psk("aes128gcm16-prfsha256-x25519", "aes128gcm16")
                .sideA(s -> s.startAction(ConnectionSpec.StartAction.START));
        OurGatewayProcess.Options options = OurGatewayProcess.Options.defaults().withTransport(transport);
        b = OurGatewayProcess.start(lab, "gb", tunnel.b(), options.withCpus(cpusB));
        Instant launched = Instant.now();
        a = OurGatewayProcess.start(lab, "ga", tunnel.a(), options.withCpus(cpusA));
        Instant up = Instant.now();
        a.await(UP_TIMEOUT, "established with " + children + " Child SA pairs", () -> established(a, children));
        b.await(UP_TIMEOUT, "established with " + children + " Child SA pairs", () -> established(b, children));
        // The logs' timestamps, not the once-a-second status files, say when the last pair was installed.
        Instant last = lastInstall(a).isAfter(lastInstall(b)) ? lastInstall(a) : lastInstall(b);
        System.out.printf(
                "[%dx%d %s] gateway A up (JVM start) %d ms after launch; IKE SA established in %s ms (its log);"
                        + " last of %d Child SA pairs installed %d ms after A's launch%n",
                cpusA.size(),
                cpusB.size(),
                transport,
                Duration.between(launched, up).toMillis(),
                ESTABLISHED_IN
                        .matcher(a.log())
                        .results()
                        .map(m -> m.group(1))
                        .findFirst()
                        .orElse("?"),
                children,
                Duration.between(launched, last).toMillis());
        return Duration.between(launched, last).toMillis();
    }

    /** When the gateway's log says it installed its last Child SA pair. */
    private static Instant lastInstall(OurGatewayProcess gateway) {
        return CHILD_INSTALLED
                .matcher(gateway.log())
                .results()
                .map(m -> Instant.parse(m.group(1)))
                .max(Instant::compareTo)
                .orElseThrow(() -> new AssertionError("no 'Child SA installed' in the log of " + gateway));
    }

    private static boolean established(OurGatewayProcess gateway, int children) {
        try {
            return IkeStatusSnapshot.parse(gateway.status()).established(children);
        } catch (RuntimeException e) {
            return false; // the file is being rewritten
        }
    }

    private void requireSymmetricPair() {
        if (upA == null || upB == null) {
            throw new IllegalStateException("the 2x2 pair did not come up (see the first test)");
        }
    }

    /**
     * The IKE SA agreed per-CPU SAs and multiport; a fallback pair sending from 4500 and one pair per
     * lane, each pair's inbound SPI steering to its lane and sending from that lane's own source port.
     */
    private static void checkPerLaneSas(
            String name, IkeStatusSnapshot s, List<Integer> sourcePorts, int lanes, List<Executable> checks) {
        Map<String, String> ike = s.ike();
        checks.add(() -> assertEquals("ESTABLISHED", ike.get("state"), name + ":\n" + s));
        checks.add(() -> assertEquals("true", ike.get("per_cpu"), name + ": per_cpu\n" + s));
        checks.add(() -> assertEquals("true", ike.get("multiport"), name + ": multiport\n" + s));
        checks.add(() -> assertEquals(String.valueOf(1 + lanes), ike.get("children"), name + ": children\n" + s));
        checks.add(() -> assertEquals(lanes, s.lanes().size(), name + ": lanes\n" + s));
        checks.add(() -> assertEquals(lanes, sourcePorts.size(), name + ": announced source ports " + sourcePorts));
        checks.add(() -> assertEquals(
                lanes, new HashSet<>(sourcePorts).size(), name + ": distinct source ports " + sourcePorts));
        checks.add(() -> assertTrue(!sourcePorts.contains(4500), name + ": a lane port is 4500: " + sourcePorts));
        List<IkeStatusSnapshot.Child> fallback = s.fallbackChildren();
        checks.add(() -> assertEquals(1, fallback.size(), name + ": fallback pairs\n" + s));
        for (IkeStatusSnapshot.Child c : fallback) {
            checks.add(() -> assertEquals(4500, c.sourcePort(), name + ": the fallback's source port"));
            checks.add(() -> assertEquals(c.inboundSpi() % lanes, c.inboundLane(), name + ": fallback SAD lane"));
        }
        List<IkeStatusSnapshot.Child> perCpu = s.perCpuChildren();
        Set<Integer> allLanes = IntStream.range(0, lanes).boxed().collect(Collectors.toCollection(TreeSet::new));
        Set<Integer> pairLanes =
                perCpu.stream().map(IkeStatusSnapshot.Child::lane).collect(Collectors.toCollection(TreeSet::new));
        checks.add(() -> assertEquals(allLanes, pairLanes, name + ": one per-CPU pair per lane\n" + s));
        checks.add(() -> assertEquals(lanes, perCpu.size(), name + ": per-CPU pairs\n" + s));
        for (IkeStatusSnapshot.Child c : perCpu) {
            checks.add(() -> assertEquals(
                    c.lane(),
                    c.inboundSpi() % lanes,
                    name + ": per-CPU pair of lane " + c.lane() + " has inbound SPI 0x"
                            + Long.toHexString(c.inboundSpi()) + " (mod " + lanes + " = " + c.inboundSpi() % lanes
                            + ")"));
            checks.add(() -> assertEquals(c.lane(), c.inboundLane(), name + ": SAD lane of " + c));
            checks.add(() -> assertEquals(
                    (int) sourcePorts.get(c.lane()),
                    c.sourcePort(),
                    name + ": per-CPU pair of lane " + c.lane() + " sends from " + c.sourcePort() + ", lane ports "
                            + sourcePorts));
        }
        Set<Integer> ports =
                perCpu.stream().map(IkeStatusSnapshot.Child::sourcePort).collect(Collectors.toSet());
        checks.add(() -> assertEquals(perCpu.size(), ports.size(), name + ": per-CPU source ports " + ports));
    }

    /** Each side sends on exactly the SPIs the other receives on, and the two agree on which are per-CPU. */
    private static void checkMirrored(IkeStatusSnapshot sA, IkeStatusSnapshot sB, List<Executable> checks) {
        checks.add(() -> assertEquals(inbound(sB, true), outbound(sA, true), "A's per-CPU outbound = B's inbound"));
        checks.add(() -> assertEquals(inbound(sA, true), outbound(sB, true), "B's per-CPU outbound = A's inbound"));
        checks.add(() -> assertEquals(inbound(sB, false), outbound(sA, false), "A's fallback outbound = B's inbound"));
        checks.add(() -> assertEquals(inbound(sA, false), outbound(sB, false), "B's fallback outbound = A's inbound"));
        checks.add(() -> assertEquals(sA.ike().get("spi_i"), sB.ike().get("spi_i"), "IKE SPIs"));
        checks.add(() -> assertEquals(sA.ike().get("spi_r"), sB.ike().get("spi_r"), "IKE SPIs"));
        checks.add(() -> assertNotEquals("0", sA.ike().get("spi_r"), "responder SPI"));
    }

    private static Set<Long> inbound(IkeStatusSnapshot s, boolean perCpu) {
        return s.children().stream()
                .filter(c -> c.perCpu() == perCpu)
                .map(IkeStatusSnapshot.Child::inboundSpi)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<Long> outbound(IkeStatusSnapshot s, boolean perCpu) {
        return s.children().stream()
                .filter(c -> c.perCpu() == perCpu)
                .map(IkeStatusSnapshot.Child::outboundSpi)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<Long> spis(IkeStatusSnapshot s) {
        Set<Long> all = new TreeSet<>(inbound(s, true));
        all.addAll(inbound(s, false));
        all.addAll(outbound(s, true));
        all.addAll(outbound(s, false));
        return all;
    }

    private static void checkEveryLaneBusy(String name, IkeStatusSnapshot s, int lanes, List<Executable> checks) {
        checks.add(() -> assertEquals(lanes, s.lanes().size(), name + ": lanes\n" + s));
        for (int k = 0; k < Math.min(lanes, s.lanes().size()); k++) {
            int lane = k;
            // Lane counters count every datagram, including IKE; a few thousand is well above that.
            checks.add(() ->
                    assertTrue(s.lane(lane, "esp-out") > 100, name + " lane " + lane + " sent (almost) no ESP:\n" + s));
            checks.add(() -> assertTrue(
                    s.lane(lane, "esp-in") > 100, name + " lane " + lane + " received (almost) no ESP:\n" + s));
        }
        for (IkeStatusSnapshot.Child c : s.perCpuChildren()) {
            checks.add(() -> assertTrue(
                    c.inPackets() > 0 && c.outPackets() > 0,
                    name + ": per-CPU pair of lane " + c.lane() + " idle in one direction: " + c));
        }
    }

    /**
     * Each per-CPU SA's packets were handled by one lane only: inbound on the lane its SPI steers to,
     * outbound on the pair's own lane; and the {@code child=} counters agree with the lanes' {@code sa=}
     * lines.
     */
    private static void checkOneLanePerSa(String name, IkeStatusSnapshot s, int lanes, List<Executable> checks) {
        for (IkeStatusSnapshot.Child c : s.perCpuChildren()) {
            Set<Integer> inLanes = s.sas("in", c.inboundSpi()).stream()
                    .filter(sa -> sa.packets() > 0)
                    .map(IkeStatusSnapshot.Sa::lane)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<Integer> outLanes = s.sas("out", c.outboundSpi()).stream()
                    .filter(sa -> sa.packets() > 0)
                    .map(IkeStatusSnapshot.Sa::lane)
                    .collect(Collectors.toCollection(TreeSet::new));
            String what = name + ": per-CPU pair " + c + "\n" + s;
            if (c.inPackets() > 0) {
                checks.add(() -> assertEquals(
                        Set.<Integer>of((int) (c.inboundSpi() % lanes)), inLanes, "inbound lanes of " + what));
            }
            if (c.outPackets() > 0) {
                checks.add(() -> assertEquals(1, outLanes.size(), "outbound lanes of " + what));
                if (c.lane() < lanes) {
                    checks.add(() -> assertEquals(Set.<Integer>of(c.lane()), outLanes, "outbound lane of " + what));
                }
            }
            long in = s.sas("in", c.inboundSpi()).stream()
                    .mapToLong(IkeStatusSnapshot.Sa::packets)
                    .sum();
            long out = s.sas("out", c.outboundSpi()).stream()
                    .mapToLong(IkeStatusSnapshot.Sa::packets)
                    .sum();
            checks.add(() -> assertEquals(c.inPackets(), in, "child= vs sa=in packets of " + what));
            checks.add(() -> assertEquals(c.outPackets(), out, "child= vs sa=out packets of " + what));
        }
    }

    private void checkLogs(List<Executable> checks) {
        for (OurGatewayProcess g : List.of(a, b)) {
            String log = g.log();
            checks.add(() -> assertTrue(
                    !STACK_FRAME.matcher(log).find() && !log.contains("Exception"),
                    () -> "an exception in the log of " + g + ":\n" + log));
        }
    }

    /** {@code iperf3 -P streams -t seconds} from host A to host B; the bytes received. */
    private long iperf3(int streams, int seconds) {
        lab.sh(Duration.ofSeconds(20), "traffic_iperf3_server \"$P\" \"$TOPO_HB\" 5201")
                .orThrow("the iperf3 server");
        InteropLab.Result iperf;
        try {
            iperf = lab.inNs(
                    Duration.ofSeconds(seconds + 30L),
                    "ha",
                    "iperf3",
                    "-c",
                    HOST_B,
                    "-P",
                    String.valueOf(streams),
                    "-t",
                    String.valueOf(seconds),
                    "-J",
                    "--connect-timeout",
                    "5000");
        } finally {
            lab.sh(Duration.ofSeconds(30), "traffic_stop \"$P\" \"iperf3-$TOPO_HB\"");
        }
        InteropLab.Result result = iperf;
        Map<String, Object> json = new BasicJsonParser().parseMap(result.stdout());
        assertNull(json.get("error"), () -> "iperf3 reported an error: " + result);
        assertEquals(0, result.exitCode(), () -> "iperf3: " + result);
        Map<?, ?> received = (Map<?, ?>) ((Map<?, ?>) json.get("end")).get("sum_received");
        long bytes = ((Number) received.get("bytes")).longValue();
        System.out.printf(
                "iperf3 -P %d -t %d through the tunnel: %d bytes, %.1f Mbit/s%n",
                streams, seconds, bytes, ((Number) received.get("bits_per_second")).doubleValue() / 1e6);
        return bytes;
    }

    /** Starts tcpdump on gateway A's black veth (headers only); stop it with traffic_stop capture-ga. */
    private Path startCapture() {
        Path pcap = lab.state().resolve("black-ga.pcap");
        lab.sh(
                        Duration.ofSeconds(20),
                        "TRAFFIC_SNAPLEN=128 traffic_capture \"$P\" capture-ga \"$TOPO_GA\" black " + pcap + " 1000000")
                .orThrow("tcpdump on gateway A's black link");
        return pcap;
    }

    /**
     * Only ESP in UDP to port 4500 between the gateways, nothing in clear; every SPI seen is a Child
     * SA's and leaves from one sender: a per-CPU SA from its pair's source port (its lane's own), the
     * fallback from 4500. With {@code complete} (the capture ran since the pairs were installed), every
     * SA that counted outbound packets was seen, from exactly that sender.
     */
    private static void checkCapture(
            BlackLinkCapture capture,
            IkeStatusSnapshot sA,
            IkeStatusSnapshot sB,
            boolean complete,
            List<Executable> checks) {
        checks.add(() -> assertEquals(List.of(), capture.violations(), "packets that break the ESP-in-UDP rule"));
        checks.add(() -> assertEquals(0, capture.tcp(), () -> "TCP on the black link: " + capture));
        checks.add(() -> assertTrue(capture.esp() > 0, () -> "no ESP captured: " + capture));
        checks.add(
                () -> assertEquals(capture.between(), capture.esp(), () -> "non-ESP between the gateways: " + capture));
        Set<Long> known = new HashSet<>();
        for (var side : List.of(Map.entry(BLACK_A, sA), Map.entry(BLACK_B, sB))) {
            for (IkeStatusSnapshot.Child child : side.getValue().children()) {
                known.add(child.outboundSpi());
                Set<String> senders = capture.sendersBySpi().get(child.outboundSpi());
                String expected = side.getKey() + "." + (child.perCpu() ? child.sourcePort() : 4500);
                String what = (child.perCpu() ? "per-CPU SA of lane " + child.lane() : "fallback SA") + " 0x"
                        + Long.toHexString(child.outboundSpi()) + " from " + side.getKey() + " (" + child + ")";
                if (senders != null || (complete && child.outPackets() > 0)) {
                    checks.add(() -> assertEquals(Set.of(expected), senders, what));
                }
            }
        }
        checks.add(() -> assertTrue(
                known.containsAll(capture.sendersBySpi().keySet()),
                "ESP on SPIs no Child SA has: " + hexKeys(capture.sendersBySpi()) + " vs " + known));
    }

    private BlackLinkCapture readCapture(Path pcap) {
        InteropLab.Result dump = lab.run(
                        Duration.ofSeconds(60), Map.of(), List.of("tcpdump", "-r", pcap.toString(), "-nn"))
                .orThrow("tcpdump -r");
        return BlackLinkCapture.read(
                dump.stdout(), BLACK_A, Set.copyOf(a.sourcePorts()), BLACK_B, Set.copyOf(b.sourcePorts()));
    }

    private static Map<String, Set<String>> hexKeys(Map<Long, Set<String>> bySpi) {
        Map<String, Set<String>> out = new TreeMap<>();
        bySpi.forEach((spi, senders) -> out.put("0x" + Long.toHexString(spi), senders));
        return out;
    }
}
