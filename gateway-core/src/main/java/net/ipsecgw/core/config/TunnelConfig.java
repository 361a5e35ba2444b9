package net.ipsecgw.core.config;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.ike.config.ConfigValueException;

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
        Integer remotePort,
        List<IpPrefix> localTs,
        List<IpPrefix> remoteTs,
        boolean multiport,
        ManualKeying manual) {

    /**
     * Defaults and checks.
     *
     * @throws ConfigValueException naming the field that is missing or wrong
     */
    public TunnelConfig {
        if (name == null || name.isBlank()) {
            throw new ConfigValueException("name", "must be given: every tunnel needs a unique name");
        }
        if (remoteAddress == null || remoteAddress.isBlank()) {
            throw new ConfigValueException("remote-address", "must be given (tunnel '" + name + "')");
        }
        if (!(NetUtil.isValidIpV4Address(remoteAddress) || NetUtil.isValidIpV6Address(remoteAddress))) {
            throw new ConfigValueException(
                    "remote-address", "'" + remoteAddress + "' is not an IP address (tunnel '" + name + "')");
        }
        remotePort = remotePort == null ? 4500 : remotePort;
        if (remotePort < 1 || remotePort > 65535) {
            throw new ConfigValueException(
                    "remote-port", "must be 1-65535, got " + remotePort + " (tunnel '" + name + "')");
        }
        localTs = List.copyOf(Objects.requireNonNullElse(localTs, List.of()));
        remoteTs = List.copyOf(Objects.requireNonNullElse(remoteTs, List.of()));
        if (localTs.isEmpty()) {
            throw new ConfigValueException("local-ts", "must list at least one subnet (tunnel '" + name + "')");
        }
        if (remoteTs.isEmpty()) {
            throw new ConfigValueException("remote-ts", "must list at least one subnet (tunnel '" + name + "')");
        }
        if (!sharesFamily(localTs, remoteTs)) {
            throw new ConfigValueException(
                    "remote-ts",
                    "has no prefix of an address family that local-ts has, so no packet could use tunnel '" + name
                            + "'");
        }
        if (manual == null) {
            throw new ConfigValueException(
                    "manual",
                    "must be given: tunnel '" + name + "' needs manually keyed SAs (IKE is not available yet)");
        }
    }

    private static boolean sharesFamily(List<IpPrefix> local, List<IpPrefix> remote) {
        return local.stream().anyMatch(l -> remote.stream().anyMatch(r -> r.isIpv4() == l.isIpv4()));
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
