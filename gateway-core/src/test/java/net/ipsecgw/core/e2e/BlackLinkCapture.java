package net.ipsecgw.core.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What crossed the black link between two gateways, read from {@code tcpdump -r FILE -nn}, checked
 * against the rule for a gateway pair that speaks UDP-encapsulated ESP (RFC 3948): every IPv4 packet
 * between the two black addresses is UDP to the peer's port 4500, sent from port 4500 or from one of
 * the sender's per-lane source ports. Anything else between them (TCP, ICMP, fragments, UDP on other
 * ports) is a violation: an inner packet that crossed in clear or a gateway that sent something it
 * should not have.
 */
final class BlackLinkCapture {
    /** {@code 12:00:00.000000 IP 10.201.0.1.51836 > 10.201.0.2.4500: REST}; also matches fragments. */
    private static final Pattern IPV4 = Pattern.compile(
            "^\\S+ IP (\\d+\\.\\d+\\.\\d+\\.\\d+)(?:\\.(\\d+))? > (\\d+\\.\\d+\\.\\d+\\.\\d+)(?:\\.(\\d+))?: (.*)$");

    private static final Pattern ESP = Pattern.compile("^UDP-encap: ESP\\(spi=0x([0-9a-f]+),seq=0x([0-9a-f]+)\\)");

    /** The length tcpdump gives last on a line: for ESP in UDP, the UDP payload's. */
    private static final Pattern LENGTH = Pattern.compile(", length (\\d+)$");

    /** tcpdump's TCP rendering ({@code Flags [S.]}) or the iperf3 port anywhere. */
    private static final Pattern TCP = Pattern.compile("Flags \\[|\\.5201[ :]");

    private int lines;
    private int between;
    private int keepalives;
    private int ike;
    private int esp;
    private long espBytes;
    private int tcp;
    private final List<String> violations = new ArrayList<>();
    private final Map<Long, Set<String>> senderBySpi = new TreeMap<>();

    private BlackLinkCapture() {}

    /**
     * Reads tcpdump's text output.
     *
     * @param text the output of {@code tcpdump -r FILE -nn}
     * @param addressA gateway A's black address
     * @param portsA gateway A's per-lane source ports
     * @param addressB gateway B's black address
     * @param portsB gateway B's per-lane source ports
     */
    static BlackLinkCapture read(
            String text, String addressA, Set<Integer> portsA, String addressB, Set<Integer> portsB) {
        BlackLinkCapture capture = new BlackLinkCapture();
        for (String line : text.lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            capture.lines++;
            boolean tcp = TCP.matcher(line).find();
            if (tcp) {
                capture.tcp++;
            }
            if (!capture.followsTheRule(line, addressA, portsA, addressB, portsB) || tcp) {
                capture.violation(line);
            }
        }
        return capture;
    }

    /** False for a packet between the two addresses that is not ESP in UDP on the right ports. */
    private boolean followsTheRule(
            String line, String addressA, Set<Integer> portsA, String addressB, Set<Integer> portsB) {
        Matcher m = IPV4.matcher(line);
        if (!m.matches()) {
            return true; // ARP, IPv6 neighbour discovery: not between the two gateways' addresses
        }
        String src = m.group(1);
        String dst = m.group(3);
        Set<Integer> senderPorts;
        if (src.equals(addressA) && dst.equals(addressB)) {
            senderPorts = portsA;
        } else if (src.equals(addressB) && dst.equals(addressA)) {
            senderPorts = portsB;
        } else {
            return true;
        }
        String rest = m.group(5);
        // tcpdump names a NAT keepalive (RFC 3948 §2.3: UDP with one 0xFF octet) and IKE behind the
        // non-ESP marker (§2.2) instead of "UDP"
        boolean keepalive = rest.startsWith("isakmp-nat-keep-alive");
        boolean ikeMessage = rest.startsWith("NONESP-encap: isakmp");
        if (keepalive) {
            keepalives++;
        } else if (ikeMessage) {
            ike++;
        } else {
            between++;
        }
        if (m.group(2) == null || m.group(4) == null || !(keepalive || ikeMessage || rest.startsWith("UDP"))) {
            return false; // not UDP, or a fragment without ports
        }
        int srcPort = Integer.parseInt(m.group(2));
        int dstPort = Integer.parseInt(m.group(4));
        if (dstPort != 4500 || (srcPort != 4500 && (ikeMessage || !senderPorts.contains(srcPort)))) {
            return false; // IKE goes between the NAT-T ports only
        }
        Matcher esp = ESP.matcher(rest);
        if (esp.find()) {
            this.esp++;
            Matcher length = LENGTH.matcher(rest);
            if (length.find()) {
                espBytes += Long.parseLong(length.group(1));
            }
            senderBySpi
                    .computeIfAbsent(Long.parseLong(esp.group(1), 16), k -> new TreeSet<>())
                    .add(src + "." + srcPort);
        }
        return true;
    }

    private void violation(String line) {
        if (violations.size() < 20) {
            violations.add(line);
        }
    }

    /** Lines read (packets of any kind). */
    int lines() {
        return lines;
    }

    /** IPv4 packets between the two black addresses, NAT keepalives and IKE ({@link #keepalives()}, {@link #ike()}) aside. */
    int between() {
        return between;
    }

    /** IKE messages between the two black addresses, port 4500 to 4500 (a rekey, say, during a capture). */
    int ike() {
        return ike;
    }

    /** NAT keepalives between the two black addresses (checked against the port rule too). */
    int keepalives() {
        return keepalives;
    }

    /** Of the packets {@link #between()} counts, ESP in UDP that followed the port rule. */
    int esp() {
        return esp;
    }

    /**
     * Octets of ESP in those packets (UDP payloads). Unlike {@link #esp()}, independent of UDP GSO: the
     * capture sees a segmented send as one packet of all its segments' length.
     */
    long espBytes() {
        return espBytes;
    }

    /** Packets that tcpdump rendered as TCP or that mention port 5201. */
    int tcp() {
        return tcp;
    }

    /** The first offending lines (at most 20); empty when the capture followed the rule. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    /** For each SPI seen, the {@code address.port} senders it came from. */
    Map<Long, Set<String>> sendersBySpi() {
        return senderBySpi;
    }

    @Override
    public String toString() {
        return "lines=" + lines + " between-gateways=" + between + " keepalives=" + keepalives + " ike=" + ike + " esp="
                + esp
                + " esp-bytes=" + espBytes + " tcp="
                + tcp + " senders-by-spi="
                + senderBySpi + " violations=" + violations;
    }
}
