package net.ipsecgw.ike.dataplane;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * One traffic selector as IKEv2 negotiates it (RFC 7296 §3.13.1): an address range, an IP protocol
 * (0 = any) and a port range, all inclusive. The data path turns ranges into prefixes for its SPD.
 *
 * @param start first address of the range
 * @param end last address of the range (same family as {@code start}, not below it)
 * @param protocol IP protocol number, 0 for any
 * @param startPort first port (0 for any protocol without ports)
 * @param endPort last port (65535 for all)
 */
public record TsRange(InetAddress start, InetAddress end, int protocol, int startPort, int endPort) {

    /** Checks the family, the order of the addresses and the port and protocol ranges. */
    public TsRange {
        byte[] s = start.getAddress();
        byte[] e = end.getAddress();
        if (s.length != e.length) {
            throw new IllegalArgumentException("traffic selector mixes address families: " + start + " - " + end);
        }
        if (Arrays.compareUnsigned(s, e) > 0) {
            throw new IllegalArgumentException("traffic selector range is reversed: " + start + " - " + end);
        }
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("IP protocol out of range: " + protocol);
        }
        if (startPort < 0 || endPort > 65535 || startPort > endPort) {
            throw new IllegalArgumentException("bad port range " + startPort + "-" + endPort);
        }
    }

    /** True for an IPv4 range. */
    public boolean isIpv4() {
        return start.getAddress().length == 4;
    }

    @Override
    public String toString() {
        String ports = startPort == 0 && endPort == 65535 ? "" : "[" + startPort + "-" + endPort + "]";
        String proto = protocol == 0 ? "" : "/" + protocol;
        return start.getHostAddress() + "-" + end.getHostAddress() + proto + ports;
    }
}
