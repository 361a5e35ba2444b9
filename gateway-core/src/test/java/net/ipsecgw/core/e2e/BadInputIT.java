package net.ipsecgw.core.e2e;

import static net.ipsecgw.core.e2e.LabPair.BLACK_A;
import static net.ipsecgw.core.e2e.LabPair.BLACK_B;
import static net.ipsecgw.core.e2e.LabPair.HOST_A;
import static net.ipsecgw.core.e2e.LabPair.HOST_B;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.ipsecgw.core.interop.InteropLab;
import net.ipsecgw.testing.Privileges;
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
import org.springframework.boot.json.BasicJsonParser;

/**
 * Gateway A's port 4500 withstands hostile input from the black side while it carries traffic. With
 * the tunnel up (two lanes, epoll, Netty's leak detector at {@code paranoid}) and a ping flow and an
 * iperf3 flow running through it, a process in gateway B's namespace sends gateway A 10,000 random
 * datagrams of 0-2000 octets, truncated ESP, ESP with unknown SPIs, forged ESP (a real SPI with a
 * fresh sequence number and a random body), verbatim replays of real ESP packets captured on the black
 * link, and oversized datagrams of up to 9000 octets ({@code traffic_bad_input} in
 * benchmarks/lib/traffic.sh). The test proves that
 *
 * <ul>
 *   <li>every one of them is dropped and counted under the reason the demultiplexer, the SAD or ESP
 *       must give it: exactly the counts the sender computed per reason ({@code drop-empty}, {@code
 *       drop-truncated_spi}, {@code drop-truncated_esp}, {@code drop-reserved_spi}, {@code
 *       drop-unknown_spi}, {@code drop-truncated}, {@code drop-bad_icv}, {@code drop-replayed}, ...);
 *   <li>the flows running meanwhile complete, both gateways still run, and the tunnel passes traffic
 *       both ways afterwards;
 *   <li>neither gateway logged an exception or a stack trace, and after a forced GC and more traffic
 *       the leak detector reports no leaked buffer ({@code LEAK:}).
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {
    private static final int LANES = 2;
    private static final int RANDOM_DATAGRAMS = 10_000;
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w$.]+\\(");
    private static final Pattern EXCEPTION = Pattern.compile("(?m)^.*(Exception|Throwable|Error\\b).*$");

    private final String prefix = "bi" + ProcessHandle.current().pid() % 100_000;
    private LabPair lab;

    @RegisterExtension
    final TestWatcher diagnostics = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (lab != null) {
                System.out.println(lab.diagnostics());
            }
        }
    };

    @BeforeAll
    void startLab() {
        LabPair.requireLab("the bad-input test");
        Privileges.requireProgram("python3", "python3");
        lab = LabPair.start(prefix, LANES, "epoll", "-Dio.netty.leakDetection.level=paranoid");
    }

    @AfterAll
    void stopLab() {
        if (lab != null) {
            lab.close();
            lab = null;
        }
    }

    @Test
    @Order(1)
    void everyBadDatagramIsDroppedUnderItsReasonWhileTrafficFlows() throws Exception {
        Path pcap = lab.state().resolve("esp-to-ga.pcap");
        // Counted from before the capture: a real packet the kernel dropped then would make its replay
        // look new; the exact check below allows for every datagram the kernel dropped.
        long udpBefore = udpInErrors();
        lab.sh(Duration.ofSeconds(20), "traffic_iperf3_server \"$P\" \"$TOPO_HB\" 5201")
                .orThrow("the iperf3 server");
        // Real ESP on its way to gateway A, for the replays.
        lab.sh(
                        Duration.ofSeconds(20),
                        "traffic_capture \"$P\" capture-gb \"$TOPO_GB\" black " + pcap + " 300 udp and src host "
                                + BLACK_B + " and dst host " + BLACK_A + " and dst port 4500")
                .orThrow("tcpdump on gateway B's black link");
        InteropLab.Background ping =
                lab.start("ping-flow", "ha", "ping", "-n", "-q", "-i", "0.02", "-c", "500", "-W", "1", HOST_B);
        InteropLab.Background iperf = lab.start(
                "iperf3-flow",
                "ha",
                "iperf3",
                "-c",
                HOST_B,
                "-t",
                "10",
                "-b",
                "20M",
                "-J",
                "--connect-timeout",
                "5000");
        InteropLab.Result attack;
        Map<String, Long> delta = new TreeMap<>();
        Map<String, Long> expected = new TreeMap<>();
        long kernelDrops;
        GatewaySnapshot before;
        GatewaySnapshot after;
        try {
            awaitCaptureEnd();
            before = lab.statusAfter("ga", Instant.now());
            attack = lab.sh(
                            Duration.ofSeconds(90),
                            "traffic_bad_input \"$TOPO_GB\" " + BLACK_A + " 4500 " + pcap + " " + RANDOM_DATAGRAMS)
                    .orThrow("traffic_bad_input");
            Files.writeString(lab.work().resolve("bad-input.txt"), attack.stdout());
            after = lab.statusAfter("ga", Instant.now().plusMillis(200));
            kernelDrops = udpInErrors() - udpBefore;
            for (String line : attack.stdout().lines().toList()) {
                String[] words = line.split(" ");
                if (words[0].equals("expect")) {
                    expected.put(words[1], Long.parseLong(words[2]));
                    delta.put(words[1], after.total(words[1]) - before.total(words[1]));
                }
            }
        } finally {
            lab.sh(Duration.ofSeconds(20), "traffic_stop \"$P\" capture-gb");
        }
        InteropLab.Result pingResult = ping.await(Duration.ofSeconds(30));
        InteropLab.Result iperfResult = iperf.await(Duration.ofSeconds(30));
        lab.sh(Duration.ofSeconds(20), "traffic_stop \"$P\" \"iperf3-$TOPO_HB\"");

        System.out.printf(
                "bad input sent to gateway A:%n%s%ncounted by gateway A (after - before): %s%n"
                        + "kernel UDP drops (InErrors) in gateway A's namespace (capture and attack): %d%n"
                        + "ping flow during the attack: %s%ngateway A status before:%n%safter:%n%s",
                attack.stdout().strip(), delta, kernelDrops, pingResult.stdout().strip(), before, after);
        assertTrue(
                expected.containsKey("drop-unknown_spi") && expected.get("drop-replayed") > 0,
                () -> "traffic_bad_input printed no expectations: " + attack);

        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            String key = e.getKey();
            long want = e.getValue();
            long got = delta.get(key);
            if (kernelDrops == 0) {
                checks.add(() -> assertEquals(want, got, key + ": counted " + got + ", sent " + want));
            } else {
                // The kernel dropped some datagrams before the gateway saw them: fewer, never more.
                checks.add(() -> assertTrue(
                        got <= want && got >= want - kernelDrops,
                        key + ": counted " + got + ", sent " + want + ", kernel dropped " + kernelDrops));
            }
        }
        checks.add(() -> assertTrue(received(pingResult) > 0, () -> "no ping reply during the attack: " + pingResult));
        checks.add(() -> {
            Map<String, Object> json = new BasicJsonParser().parseMap(iperfResult.stdout());
            assertNull(json.get("error"), () -> "iperf3 during the attack: " + iperfResult);
            Map<?, ?> received = (Map<?, ?>) ((Map<?, ?>) json.get("end")).get("sum_received");
            assertTrue(((Number) received.get("bytes")).longValue() > 0, () -> "iperf3 received nothing: " + received);
            System.out.printf(
                    "iperf3 flow during the attack: %.1f Mbit/s%n",
                    ((Number) received.get("bits_per_second")).doubleValue() / 1e6);
        });
        assertAll(checks);
    }

    @Test
    @Order(2)
    void bothGatewaysSurviveAndTheTunnelStillCarriesTraffic() {
        InteropLab.Result aToB = lab.inNs(
                Duration.ofSeconds(20), "ha", "ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", "-w", "10", HOST_B);
        InteropLab.Result bToA = lab.inNs(
                Duration.ofSeconds(20), "hb", "ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", "-w", "10", HOST_A);
        assertAll(
                () -> assertTrue(lab.gatewayAlive("ga"), "gateway A is not running"),
                () -> assertTrue(lab.gatewayAlive("gb"), "gateway B is not running"),
                () -> assertEquals(5, answered(aToB), () -> "host A -> host B after the attack: " + aToB),
                () -> assertEquals(5, answered(bToA), () -> "host B -> host A after the attack: " + bToA));
    }

    @Test
    @Order(3)
    void noExceptionIsLoggedAndNoBufferLeaks() throws Exception {
        // A leaked buffer is reported once the GC has collected it and the detector is consulted again
        // (at the next allocation): force a GC in both gateways, then make them allocate.
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (String side : List.of("ga", "gb")) {
            long pid = lab.gatewayPid(side);
            assertTrue(pid > 0, "gateway " + side + " is not running");
            String properties = lab.run(
                            Duration.ofSeconds(30),
                            Map.of(),
                            List.of(jcmd.toString(), Long.toString(pid), "VM.system_properties"))
                    .orThrow("jcmd " + pid + " VM.system_properties")
                    .stdout();
            assertTrue(
                    properties.contains("io.netty.leakDetection.level=paranoid"),
                    "gateway " + side + " runs without the paranoid leak detector (OURS_JAVA_OPTS not passed?)");
            lab.run(Duration.ofSeconds(30), Map.of(), List.of(jcmd.toString(), Long.toString(pid), "GC.run"))
                    .orThrow("jcmd " + pid + " GC.run");
        }
        Thread.sleep(500); // the reference handler enqueues the collected buffers' trackers
        lab.inNs(Duration.ofSeconds(20), "ha", "ping", "-n", "-q", "-c", "40", "-i", "0.02", "-W", "1", HOST_B);
        lab.inNs(Duration.ofSeconds(20), "hb", "ping", "-n", "-q", "-c", "40", "-i", "0.02", "-W", "1", HOST_A);
        List<Executable> checks = new ArrayList<>();
        for (String side : List.of("ga", "gb")) {
            String log = lab.log(side);
            checks.add(() -> assertTrue(log.contains("gateway up"), () -> side + " log:\n" + log));
            checks.add(() ->
                    assertTrue(!log.contains("LEAK:"), () -> "leaked buffers in the log of " + side + ":\n" + log));
            checks.add(() -> assertTrue(
                    !STACK_FRAME.matcher(log).find(), () -> "a stack trace in the log of " + side + ":\n" + log));
            Matcher exception = EXCEPTION.matcher(log);
            checks.add(() -> assertTrue(
                    !exception.find(), () -> "an exception in the log of " + side + ": " + exception.group()));
        }
        assertAll(checks);
    }

    /** Waits (up to 15 s) until the capture of real ESP has its packets and tcpdump has exited. */
    private void awaitCaptureEnd() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (lab.sh(Duration.ofSeconds(10), "topo_tracked_pid \"$P\" capture-gb >/dev/null")
                .succeeded()) {
            if (System.nanoTime() > deadline) {
                return; // traffic_bad_input uses what was captured; it fails if that is nothing
            }
            Thread.sleep(100);
        }
    }

    /**
     * Gateway A's namespace's UDP InErrors (/proc/net/snmp): datagrams the kernel dropped before any
     * socket read them, a full receive buffer (RcvbufErrors) among them.
     */
    private long udpInErrors() {
        String snmp = lab.inNs(Duration.ofSeconds(10), "ga", "cat", "/proc/net/snmp")
                .orThrow("/proc/net/snmp")
                .stdout();
        List<String> udp = snmp.lines().filter(l -> l.startsWith("Udp:")).toList();
        List<String> names = List.of(udp.get(0).split("\\s+"));
        return Long.parseLong(udp.get(1).split("\\s+")[names.indexOf("InErrors")]);
    }

    /**
     * Replies to a {@code ping -c 5 -w}: with a deadline ping sends again while replies are late, so
     * more than 5 may come back; 5 means every request was eventually answered.
     */
    private static int answered(InteropLab.Result ping) {
        return Math.min(5, received(ping));
    }

    private static int received(InteropLab.Result ping) {
        Matcher m = RECEIVED.matcher(ping.stdout());
        return m.find() ? Integer.parseInt(m.group(2)) : -1;
    }
}
