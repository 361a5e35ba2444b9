package net.ipsecgw.core.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The parsers behind the end-to-end assertions: the gateway's status file and tcpdump's rendering of
 * the black link. They must reject what breaks the rule, or the integration tests could not fail.
 */
class LabParsersTest {
    private static final Set<Integer> PORTS_A = Set.of(59596, 51836);
    private static final Set<Integer> PORTS_B = Set.of(62737, 57558);

    @Test
    void statusLinesParseIntoLaneCountersAndSas() {
        GatewaySnapshot s = GatewaySnapshot.parse("""
                lane=0 esp-in=11 esp-in-bytes=84 esp-out=2 esp-out-bytes=168 keepalives=0 ike=0 drop-no_policy=1
                lane=1 esp-in=0 esp-in-bytes=0 esp-out=5 esp-out-bytes=0 keepalives=0 ike=0 drop-unknown_spi=7
                sa=in tunnel=lab lane=0 spi=0x2100 packets=11 bytes=84
                sa=out tunnel=lab lane=1 spi=0x1101 packets=5 bytes=0
                sa=out-fallback tunnel=lab lane=1 spi=0xfffffff0 packets=0 bytes=0
                """);
        assertEquals(2, s.lanes().size());
        assertEquals(11, s.lane(0, "esp-in"));
        assertEquals(0, s.lane(0, "drop-unknown_spi"));
        assertEquals(7, s.total("drop-unknown_spi"));
        assertEquals(7, s.total("esp-out"));
        assertEquals(List.of(new GatewaySnapshot.Sa("in", "lab", 0, 0x2100, 11, 84)), s.sas("in"));
        assertEquals(0xfffffff0L, s.sas("out-fallback").get(0).spi());
        assertThrows(IllegalArgumentException.class, () -> GatewaySnapshot.parse("lanes=0 esp-in=1\n"));
        assertThrows(IllegalArgumentException.class, () -> GatewaySnapshot.parse("lane=1 esp-in=1\n"));
    }

    @Test
    void espInUdpBetweenTheGatewaysFollowsTheRule() {
        BlackLinkCapture c = read("""
                01:31:31.019594 IP 10.201.0.1.51836 > 10.201.0.2.4500: UDP-encap: ESP(spi=0x00001101,seq=0x1), length 96
                01:31:31.031258 IP 10.201.0.2.57558 > 10.201.0.1.4500: UDP-encap: ESP(spi=0x00002101,seq=0x1), length 96
                01:31:31.036228 IP 10.201.0.1.4500 > 10.201.0.2.4500: UDP-encap: ESP(spi=0x00001000,seq=0x2), length 88
                01:31:32.000000 ARP, Request who-has 10.201.0.2 tell 10.201.0.1, length 28
                01:31:33.000000 IP6 fe80::1 > ff02::2: ICMP6, router solicitation, length 16
                """);
        assertEquals(List.of(), c.violations());
        assertEquals(5, c.lines());
        assertEquals(3, c.between());
        assertEquals(3, c.esp());
        assertEquals(96 + 96 + 88, c.espBytes());
        assertEquals(
                Map.of(
                        0x1101L,
                        Set.of("10.201.0.1.51836"),
                        0x2101L,
                        Set.of("10.201.0.2.57558"),
                        0x1000L,
                        Set.of("10.201.0.1.4500")),
                c.sendersBySpi());
    }

    @Test
    void aUdpGsoSendIsOnePacketOfAllItsSegmentsOctets() {
        // What tcpdump on the sender's link shows for one segmented send of 3 x 1436 octets.
        BlackLinkCapture c = read("""
                07:02:51.158052 IP 10.201.0.1.4500 > 10.201.0.2.4500: UDP-encap: ESP(spi=0x00001100,seq=0x1), length 4308
                """);
        assertEquals(List.of(), c.violations());
        assertEquals(1, c.esp());
        assertEquals(3 * 1436, c.espBytes());
    }

    @Test
    void natKeepalivesFromTheGatewaysPortsFollowTheRuleAndAreCountedApart() {
        BlackLinkCapture capture = read("""
                08:03:43.742192 IP 10.201.0.2.57558 > 10.201.0.1.4500: isakmp-nat-keep-alive
                08:03:44.118835 IP 10.201.0.1.4500 > 10.201.0.2.4500: isakmp-nat-keep-alive
                08:03:44.200000 IP 10.201.0.1.51836 > 10.201.0.2.4500: UDP-encap: ESP(spi=0x00001101,seq=0x1), length 96
                08:03:44.300000 IP 10.201.0.1.40000 > 10.201.0.2.4500: isakmp-nat-keep-alive
                """);
        assertEquals(3, capture.keepalives());
        assertEquals(1, capture.between());
        assertEquals(1, capture.esp());
        assertEquals(1, capture.violations().size(), "a keepalive from a port that is not the gateway's");
    }

    @Test
    void ikeBetweenTheNatTPortsFollowsTheRuleAndIsCountedApart() {
        // A CREATE_CHILD_SA exchange during a capture (the lines tcpdump printed for one), then IKE from a
        // lane's source port, which only ESP may use.
        BlackLinkCapture capture = read("""
                09:44:47.532556 IP 10.201.0.2.4500 > 10.201.0.1.4500: NONESP-encap: isakmp: parent_sa child_sa
                09:44:47.569036 IP 10.201.0.1.4500 > 10.201.0.2.4500: NONESP-encap: isakmp: parent_sa child_sa[IR]
                09:44:47.600000 IP 10.201.0.1.51836 > 10.201.0.2.4500: NONESP-encap: isakmp: parent_sa child_sa
                """);
        assertEquals(3, capture.ike());
        assertEquals(0, capture.between());
        assertEquals(1, capture.violations().size(), "IKE from a per-lane port");
    }

    @Test
    void clearTcpFragmentsAndStrayPortsAreViolations() {
        String tcp = "01:00:00.000001 IP 10.201.0.1.40000 > 10.201.0.2.5201: Flags [S], seq 1, length 0";
        String innerTcp = "01:00:00.000002 IP 10.201.1.2.40000 > 10.201.2.2.5201: Flags [.], ack 1, length 0";
        String fragment = "01:00:00.000003 IP 10.201.0.2 > 10.201.0.1: ip-proto-17";
        String wrongSourcePort =
                "01:00:00.000004 IP 10.201.0.1.57558 > 10.201.0.2.4500: UDP-encap: ESP(spi=0x00001100,seq=0x3), length 96";
        String wrongDestination =
                "01:00:00.000005 IP 10.201.0.2.4500 > 10.201.0.1.51836: UDP-encap: ESP(spi=0x00002100,seq=0x3), length 96";
        String icmp = "01:00:00.000006 IP 10.201.0.2 > 10.201.0.1: ICMP echo request, id 1, seq 1, length 64";
        BlackLinkCapture c = read(String.join("\n", tcp, innerTcp, fragment, wrongSourcePort, wrongDestination, icmp));
        assertEquals(2, c.tcp());
        assertEquals(List.of(tcp, innerTcp, fragment, wrongSourcePort, wrongDestination, icmp), c.violations());
        assertEquals(0, c.esp());
        assertTrue(c.sendersBySpi().isEmpty());
    }

    private static BlackLinkCapture read(String text) {
        return BlackLinkCapture.read(text, LabPair.BLACK_A, PORTS_A, LabPair.BLACK_B, PORTS_B);
    }
}
