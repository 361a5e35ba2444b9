package net.ipsecgw.core.e2e;

import static net.ipsecgw.core.e2e.LabPair.BLACK_A;
import static net.ipsecgw.core.e2e.LabPair.BLACK_B;
import static net.ipsecgw.core.e2e.LabPair.HOST_A;
import static net.ipsecgw.core.e2e.LabPair.HOST_B;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * Our gateway pair forwards real traffic end to end, on the lanes' transport a subclass names
 * ({@link EpollTunnelEndToEndIT}, {@link IoUringTunnelEndToEndIT}). On the four-namespace lab
 * topology with two lanes per gateway, each proves that
 *
 * <ul>
 *   <li>red host A and red host B ping each other through the tunnel, in both directions;
 *   <li>a 16-stream iperf3 TCP transfer from A to B completes, and while it runs the black link
 *       carries nothing but UDP-encapsulated ESP between the gateways' port 4500 and their per-lane
 *       source ports: no inner packet crosses in clear, nothing is fragmented;
 *   <li>the 16 flows spread over both lanes of both gateways (each lane sends and receives ESP), and
 *       each per-lane SA is processed by one lane only: its packets arrive on the lane its SPI steers
 *       to ({@code SPI mod lanes}) and leave from one lane's source port; what one gateway sent on
 *       an SA, the other received on it (never more);
 *   <li>neither gateway logged an exception;
 *   <li>datagrams that host A sends with {@code UDP_SEGMENT} reach host B intact (with TUN offloads, as
 *       UDP super-packets on both TUN devices).
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class AbstractTunnelEndToEndIT {
    private static final int LANES = 2;
    private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w$.]+\\(");
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private final String transport;
    private final boolean tunOffload;
    private final String prefix;
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

    /**
     * @param transport the lanes' transport, as the configuration names it
     * @param prefixLetters two letters that make this subclass's topology prefix unique
     */
    AbstractTunnelEndToEndIT(String transport, String prefixLetters) {
        this(transport, prefixLetters, false);
    }

    /**
     * @param transport the lanes' transport, as the configuration names it
     * @param prefixLetters two letters that make this subclass's topology prefix unique
     * @param tunOffload whether the gateways open their TUN devices with TCP offloads
     */
    AbstractTunnelEndToEndIT(String transport, String prefixLetters, boolean tunOffload) {
        this.tunOffload = tunOffload;
        this.transport = transport;
        this.prefix = prefixLetters + ProcessHandle.current().pid() % 100_000;
    }

    @BeforeAll
    void startLab() {
        LabPair.requireLab("the tunnel end-to-end test");
        lab = LabPair.start(prefix, LANES, transport, "", tunOffload);
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
    void hostsPingEachOtherThroughTheTunnel() {
        InteropLab.Result aToB = lab.inNs(
                Duration.ofSeconds(20), "ha", "ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", "-w", "10", HOST_B);
        InteropLab.Result bToA = lab.inNs(
                Duration.ofSeconds(20), "hb", "ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", "-w", "10", HOST_A);
        assertAll(
                () -> assertEquals(5, answered(aToB), "host A -> host B: " + aToB),
                () -> assertEquals(5, answered(bToA), "host B -> host A: " + bToA));
    }

    @Test
    @Order(2)
    void iperf3CompletesAndOnlyEspInUdpCrossesTheBlackLink() throws IOException {
        Path pcap = lab.state().resolve("black-ga.pcap");
        lab.sh(Duration.ofSeconds(20), "traffic_iperf3_server \"$P\" \"$TOPO_HB\" 5201")
                .orThrow("the iperf3 server");
        InteropLab.Result iperf;
        try {
            // Headers are enough to tell ESP from clear TCP; 128 octets keep the file small.
            lab.sh(
                            Duration.ofSeconds(20),
                            "TRAFFIC_SNAPLEN=128 traffic_capture \"$P\" capture-ga \"$TOPO_GA\" black " + pcap
                                    + " 1000000")
                    .orThrow("tcpdump on gateway A's black link");
            iperf = lab.inNs(
                    Duration.ofSeconds(40),
                    "ha",
                    "iperf3",
                    "-c",
                    HOST_B,
                    "-P",
                    "16",
                    "-t",
                    "5",
                    "-J",
                    "--connect-timeout",
                    "5000");
        } finally {
            lab.sh(Duration.ofSeconds(30), "traffic_stop \"$P\" capture-ga; traffic_stop \"$P\" \"iperf3-$TOPO_HB\"");
        }
        Files.writeString(lab.work().resolve("iperf3.json"), iperf.stdout());

        Map<String, Object> json = new BasicJsonParser().parseMap(iperf.stdout());
        assertNull(json.get("error"), () -> "iperf3 reported an error: " + iperf);
        assertEquals(0, iperf.exitCode(), () -> "iperf3: " + iperf);
        Map<?, ?> received = (Map<?, ?>) ((Map<?, ?>) json.get("end")).get("sum_received");
        long bytes = ((Number) received.get("bytes")).longValue();
        double mbits = ((Number) received.get("bits_per_second")).doubleValue() / 1e6;
        System.out.printf(
                "[%s] iperf3 -P 16 -t 5 through the tunnel: %d bytes received, %.1f Mbit/s%n", transport, bytes, mbits);
        assertTrue(bytes > 0, () -> "iperf3 received nothing: " + received);

        InteropLab.Result dump = lab.run(
                        Duration.ofSeconds(60), Map.of(), List.of("tcpdump", "-r", pcap.toString(), "-nn"))
                .orThrow("tcpdump -r");
        Set<Integer> portsA = lab.sourcePorts("ga");
        Set<Integer> portsB = lab.sourcePorts("gb");
        BlackLinkCapture capture = BlackLinkCapture.read(dump.stdout(), BLACK_A, portsA, BLACK_B, portsB);
        System.out.printf(
                "[%s] black link of gateway A: %d packets, %d between the gateways, %d ESP (%d octets); "
                        + "senders by SPI %s (source ports A %s, B %s)%n",
                transport,
                capture.lines(),
                capture.between(),
                capture.esp(),
                capture.espBytes(),
                capture.sendersBySpi(),
                portsA,
                portsB);
        assertAll(
                () -> assertEquals(List.of(), capture.violations(), "packets that break the ESP-in-UDP rule"),
                () -> assertEquals(0, capture.tcp(), () -> "TCP on the black link: " + capture),
                // A 5-second 16-stream transfer is tens of megabytes; a few are a floor. (In octets: the
                // capture sees a UDP GSO send as one packet.)
                () -> assertTrue(capture.espBytes() > 3_000_000, () -> "too little ESP captured: " + capture),
                () -> assertEquals(capture.between(), capture.esp(), () -> "non-ESP between the gateways: " + capture),
                () -> {
                    // Each SA leaves from one lane's socket: one sender address and port per SPI.
                    for (Map.Entry<Long, Set<String>> e : capture.sendersBySpi().entrySet()) {
                        assertEquals(
                                1,
                                e.getValue().size(),
                                "SPI 0x" + Long.toHexString(e.getKey()) + " sent from " + e.getValue());
                    }
                    assertEquals(2 * LANES, capture.sendersBySpi().size(), "per-lane SAs seen on the wire: " + capture);
                });
        Files.deleteIfExists(pcap); // kept only when an assertion above failed
    }

    @Test
    @Order(3)
    void everyLaneCarriesEspAndEachSaStaysOnOneLaneAndNothingIsLoggedAmiss() {
        // Traffic is over (test 2 ran first); the next status write has the final counters.
        Instant now = Instant.now();
        GatewaySnapshot a = lab.statusAfter("ga", now);
        GatewaySnapshot b = lab.statusAfter("gb", now);
        System.out.printf("[%s] gateway A status:%n%s[%s] gateway B status:%n%s", transport, a, transport, b);
        List<Executable> checks = new ArrayList<>();
        for (var side : List.of(Map.entry("A", a), Map.entry("B", b))) {
            String name = side.getKey();
            GatewaySnapshot s = side.getValue();
            checks.add(() -> assertEquals(LANES, s.lanes().size(), "lanes of gateway " + name + ":\n" + s));
            for (int k = 0; k < s.lanes().size(); k++) {
                int lane = k;
                checks.add(() -> assertTrue(
                        s.lane(lane, "esp-out") > 0, "gateway " + name + " lane " + lane + " sent no ESP:\n" + s));
                checks.add(() -> assertTrue(
                        s.lane(lane, "esp-in") > 0, "gateway " + name + " lane " + lane + " received no ESP:\n" + s));
            }
            for (String direction : List.of("in", "out")) {
                Map<Long, Set<Integer>> lanesBySpi = new TreeMap<>();
                for (GatewaySnapshot.Sa sa : s.sas(direction)) {
                    if (sa.packets() > 0) {
                        lanesBySpi
                                .computeIfAbsent(sa.spi(), x -> new TreeSet<>())
                                .add(sa.lane());
                    }
                }
                checks.add(() -> assertEquals(
                        LANES,
                        lanesBySpi.size(),
                        "gateway " + name + ": SAs (" + direction + ") with traffic, one per lane expected: "
                                + lanesBySpi + "\n" + s));
                lanesBySpi.forEach((spi, lanes) -> checks.add(() -> assertEquals(
                        1,
                        lanes.size(),
                        "gateway " + name + ": SA " + direction + " 0x" + Long.toHexString(spi) + " on lanes " + lanes
                                + "\n" + s)));
            }
            for (GatewaySnapshot.Sa sa : s.sas("in")) {
                if (sa.packets() > 0) {
                    checks.add(() -> assertEquals(
                            sa.spi() % LANES,
                            sa.lane(),
                            "gateway " + name + ": inbound SA 0x" + Long.toHexString(sa.spi())
                                    + " was processed on lane " + sa.lane() + ", but its SPI steers to lane "
                                    + sa.spi() % LANES + "\n" + s));
                }
            }
        }
        // What one gateway sent on an SA, the other received on it (none invented, at most some lost).
        for (var pair : List.of(List.of(a, b), List.of(b, a))) {
            GatewaySnapshot sender = pair.get(0);
            GatewaySnapshot receiver = pair.get(1);
            for (GatewaySnapshot.Sa out : sender.sas("out")) {
                long in = receiver.sas("in").stream()
                        .filter(sa -> sa.spi() == out.spi())
                        .mapToLong(GatewaySnapshot.Sa::packets)
                        .sum();
                checks.add(() -> assertTrue(
                        in > 0 && in <= out.packets(),
                        "SA 0x" + Long.toHexString(out.spi()) + ": sent " + out.packets() + ", received " + in));
            }
        }
        for (String side : List.of("ga", "gb")) {
            String log = lab.log(side);
            checks.add(() -> assertTrue(
                    !STACK_FRAME.matcher(log).find() && !log.contains("Exception"),
                    () -> "an exception in the log of " + side + ":\n" + log));
        }
        assertAll(checks);
    }

    /**
     * Host A sends 800 datagrams of 1,200 bytes as 20 {@code UDP_SEGMENT} sends of 40 (with offloads
     * gateway A reads each send as one super-packet and gateway B writes them coalesced); host B must
     * receive every one intact, and neither gateway may count a malformed offload or a failed TUN write.
     */
    @Test
    @Order(4)
    void udpSegmentSendsArriveAsIntactDatagrams() throws IOException {
        Privileges.requireProgram("python3", "python3");
        int sends = 20;
        int perSend = 40;
        int size = 1200;
        Path receiver = lab.work().resolve("udp-receiver.py");
        Path sender = lab.work().resolve("udp-sender.py");
        // Datagram i: its number, then bytes (i + j) & 255 for j from 4 on.
        String pattern = "BASE = bytes(range(256)) * 6\n"
                + "def datagram(i):\n"
                + "    o = (i + 4) & 255\n"
                + "    return struct.pack('!I', i) + BASE[o:o + SIZE - 4]\n";
        Files.writeString(
                receiver,
                ("import socket, struct, sys\nSIZE = %d\n" + pattern
                                + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                + "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)\n"
                                + "s.bind(('%s', 5300))\n"
                                + "open(sys.argv[1], 'w').close()  # bound: the sender may start\n"
                                + "s.settimeout(5)\n"
                                + "seen, bad = set(), 0\n"
                                + "try:\n"
                                + "    while len(seen) < %d:\n"
                                + "        d = s.recv(65535)\n"
                                + "        i = struct.unpack('!I', d[:4])[0]\n"
                                + "        if d == datagram(i):\n"
                                + "            seen.add(i)\n"
                                + "        else:\n"
                                + "            bad += 1\n"
                                + "except socket.timeout:\n"
                                + "    pass\n"
                                + "print(len(seen), bad)\n")
                        .formatted(size, HOST_B, sends * perSend));
        Files.writeString(
                sender,
                ("import socket, struct, time\nSIZE = %d\n" + pattern
                                + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                + "s.setsockopt(17, 103, SIZE)  # UDP_SEGMENT\n"
                                + "for b in range(%d):\n"
                                + "    s.sendto(b''.join(datagram(b * %d + k) for k in range(%d)), ('%s', 5300))\n"
                                + "    time.sleep(0.02)\n")
                        .formatted(size, sends, perSend, perSend, HOST_B));
        Instant before = Instant.now();
        InteropLab.Result udp = lab.sh(
                        Duration.ofSeconds(60),
                        "rm -f " + receiver + ".ready; ip netns exec \"$TOPO_HB\" python3 " + receiver + " "
                                + receiver + ".ready > " + receiver + ".out & sink=$!; "
                                // a loaded machine may take seconds to start python: send once it is bound
                                + "for i in $(seq 300); do [ -e " + receiver + ".ready ] && break; sleep 0.1; done; "
                                + "ip netns exec \"$TOPO_HA\" python3 " + sender + "; wait $sink; cat "
                                + receiver + ".out")
                .orThrow("the UDP sender and receiver");
        System.out.printf("[%s] UDP_SEGMENT through the tunnel: received, corrupt: %s", transport, udp.stdout());
        assertEquals(sends * perSend + " 0", udp.stdout().strip(), "datagrams received intact, corrupt");
        GatewaySnapshot a = lab.statusAfter("ga", before);
        GatewaySnapshot b = lab.statusAfter("gb", before);
        for (GatewaySnapshot s : List.of(a, b)) {
            assertAll(
                    () -> assertEquals(0, s.total("drop-bad_offload"), s::toString),
                    () -> assertEquals(0, s.total("drop-tun_write_failed"), s::toString));
        }
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
