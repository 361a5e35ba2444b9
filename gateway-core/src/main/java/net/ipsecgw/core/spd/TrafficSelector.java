package net.ipsecgw.core.spd;

/**
 * One pair of traffic selectors of a tunnel (RFC 7296 §3.13.1, RFC 4301 §4.4.1): the local and remote
 * prefixes, an IP protocol (0: any) and a port range on the remote side (0-65535: any).
 */
public record TrafficSelector(IpPrefix local, IpPrefix remote, int protocol, int fromPort, int toPort) {

    /** Checks that both prefixes are of one family and that the protocol and ports are in range. */
    public TrafficSelector {
        if (local.isIpv4() != remote.isIpv4()) {
            throw new IllegalArgumentException("selector " + local + " <-> " + remote + " mixes IPv4 and IPv6");
        }
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("IP protocol must be 0-255, got " + protocol);
        }
        if (fromPort < 0 || toPort > 65535 || fromPort > toPort) {
            throw new IllegalArgumentException("port range " + fromPort + "-" + toPort + " is not within 0-65535");
        }
    }

    /** Any protocol and port between two prefixes. */
    public static TrafficSelector between(String local, String remote) {
        return new TrafficSelector(IpPrefix.parse(local), IpPrefix.parse(remote), 0, 0, 65535);
    }

    /** True when a packet of {@code protocol} to remote port {@code port} (-1: none) fits. */
    boolean matchesProtocolAndPort(int protocol, int port) {
        if (this.protocol != 0 && this.protocol != protocol) {
            return false;
        }
        if (fromPort == 0 && toPort == 65535) {
            return true;
        }
        return port >= fromPort && port <= toPort;
    }
}
