package net.ipsecgw.core.config;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.core.spd.TrafficSelector;

/**
 * One tunnel to a peer gateway, the way an operator writes it (compare swanctl.conf's connections):
 * the peer's address, the subnets on each side, whether per-lane source ports are used, and (until
 * IKE negotiates them) the manually keyed SAs.
 *
 * @param name unique name
 * @param remoteAddress the peer's black address
 * @param remotePort the peer's NAT-T port (default 4500)
 * @param localTs the local subnets (traffic selectors of this side)
 * @param remoteTs the remote subnets
 * @param multiport send each per-lane SA's traffic from the lane's own source port (the peer must
 *     accept ESP from any of our ports; RFC 3948 behaviour, everything from the NAT-T port, if false)
 * @param manual manually keyed SAs (like {@code ip xfrm state add})
 */
public record TunnelConfig(
        String name,
        String remoteAddress,
        int remotePort,
        List<IpPrefix> localTs,
        List<IpPrefix> remoteTs,
        boolean multiport,
        ManualKeying manual) {

    /** Defaults and checks. */
    public TunnelConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("every tunnel needs a name");
        }
        if (remoteAddress == null
                || !(NetUtil.isValidIpV4Address(remoteAddress) || NetUtil.isValidIpV6Address(remoteAddress))) {
            throw new IllegalArgumentException("remote-address '" + remoteAddress + "' is not an IP address");
        }
        remotePort = remotePort == 0 ? 4500 : remotePort;
        if (remotePort < 1 || remotePort > 65535) {
            throw new IllegalArgumentException("remote-port must be 1-65535, got " + remotePort);
        }
        localTs = List.copyOf(Objects.requireNonNullElse(localTs, List.of()));
        remoteTs = List.copyOf(Objects.requireNonNullElse(remoteTs, List.of()));
        if (localTs.isEmpty() || remoteTs.isEmpty()) {
            throw new IllegalArgumentException("tunnel '" + name + "' needs local-ts and remote-ts");
        }
        if (manual == null) {
            throw new IllegalArgumentException("tunnel '" + name + "' has no manual SAs (IKE is not available yet)");
        }
    }

    /** Every local × remote pair of subnets of one address family, any protocol and port. */
    public List<TrafficSelector> selectors() {
        List<TrafficSelector> selectors = new ArrayList<>();
        for (IpPrefix local : localTs) {
            for (IpPrefix remote : remoteTs) {
                if (local.isIpv4() == remote.isIpv4()) {
                    selectors.add(new TrafficSelector(local, remote, 0, 0, 65535));
                }
            }
        }
        return selectors;
    }
}
