package net.ipsecgw.admin.gateway;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import net.ipsecgw.core.config.TunnelConfig;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.TunnelLane;
import net.ipsecgw.esp.EspSa;

/**
 * Views of the manually keyed tunnels, read from the lanes' own tables: per lane, the SA it sends on
 * (its per-CPU SA, or the shared fallback SA, shown once) and the inbound SAs the kernel steers to it
 * (SPI mod lanes).
 */
final class ManualTunnels {
    private ManualTunnels() {}

    static List<TunnelView> views(RunningGateways.Member member, List<TunnelConfig> tunnels) {
        List<TunnelView> views = new ArrayList<>();
        for (TunnelConfig tunnel : tunnels) {
            views.add(new TunnelView(
                    member.name(),
                    tunnel.name(),
                    TunnelView.Keying.MANUAL,
                    tunnel.remoteAddress() + ":" + tunnel.remotePort(),
                    TunnelState.INSTALLED,
                    "",
                    null,
                    null,
                    childSas(member, tunnel.name())));
        }
        return views;
    }

    private static List<ChildSaView> childSas(RunningGateways.Member member, String tunnel) {
        List<ChildSaView> pairs = new ArrayList<>();
        Map<EspSa, Boolean> shown = new IdentityHashMap<>();
        int laneCount = member.lanes().size();
        for (Lane lane : member.lanes()) {
            for (TunnelLane target : lane.tables().spdTargets()) {
                if (target.name().equals(tunnel) && shown.put(target.outbound(), true) == null) {
                    pairs.add(pair(member, lane, target, laneCount, tunnel));
                }
            }
        }
        return pairs;
    }

    private static ChildSaView pair(
            RunningGateways.Member member, Lane lane, TunnelLane target, int laneCount, String tunnel) {
        int index = target.perCpu() ? lane.index() : ChildSaView.FALLBACK;
        EspSa inbound = inboundFor(lane, tunnel, index, laneCount);
        EspSa outbound = target.outbound();
        return new ChildSaView(
                index,
                inbound == null ? 0 : inbound.spi(),
                outbound.spi(),
                target.channel() == null ? member.natTPort() : localPort(target, member),
                inbound == null ? 0 : inbound.packets(),
                inbound == null ? 0 : inbound.bytes(),
                outbound.packets(),
                outbound.bytes(),
                null);
    }

    private static int localPort(TunnelLane target, RunningGateways.Member member) {
        return target.channel().localAddress() instanceof java.net.InetSocketAddress local
                ? local.getPort()
                : member.natTPort();
    }

    /** The inbound SA of {@code tunnel} that the kernel steers to {@code lane} (any lane for the fallback). */
    private static EspSa inboundFor(Lane lane, String tunnel, int index, int laneCount) {
        for (Lane.Inbound in : lane.tables().sad().values()) {
            boolean steeredHere = Integer.remainderUnsigned(in.sa().spi(), laneCount) == lane.index();
            if (in.tunnel().name().equals(tunnel) && (index == ChildSaView.FALLBACK || steeredHere)) {
                return in.sa();
            }
        }
        return null;
    }
}
