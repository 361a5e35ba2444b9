package net.ipsecgw.core;

import java.util.HashSet;
import java.util.Set;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.LaneCounters;
import net.ipsecgw.core.datapath.PathDrop;
import net.ipsecgw.core.datapath.TunnelLane;
import net.ipsecgw.esp.DropReason;
import net.ipsecgw.esp.EspSa;
import net.ipsecgw.natt.DropCounters;

/**
 * A plain-text snapshot of a running gateway's counters: one line per lane and one per SA, as
 * {@code key=value} words that scripts and tests can parse. Read from any thread; the counters are
 * the lanes' own, read without locks, so figures from a busy gateway are a moment apart.
 */
public final class GatewayStatus {
    private GatewayStatus() {}

    /** The status of {@code gateway}. */
    public static String render(Gateway gateway) {
        StringBuilder out = new StringBuilder();
        for (Lane lane : gateway.lanes()) {
            laneLine(out, lane);
        }
        for (Lane lane : gateway.lanes()) {
            Set<EspSa> seen = new HashSet<>();
            lane.tables()
                    .sad()
                    .values()
                    .forEach(in -> saLine(out, "in", in.tunnel().name(), lane, in.sa()));
            for (TunnelLane tunnel : lane.tables().spdTargets()) {
                if (seen.add(tunnel.outbound())) {
                    saLine(out, tunnel.perCpu() ? "out" : "out-fallback", tunnel.name(), lane, tunnel.outbound());
                }
            }
        }
        return out.toString();
    }

    private static void laneLine(StringBuilder out, Lane lane) {
        LaneCounters c = lane.counters();
        out.append("lane=")
                .append(lane.index())
                .append(" esp-in=")
                .append(c.espReceived())
                .append(" esp-in-bytes=")
                .append(c.espReceivedBytes())
                .append(" esp-out=")
                .append(c.espSent())
                .append(" esp-out-bytes=")
                .append(c.espSentBytes())
                .append(" keepalives=")
                .append(c.keepalives())
                .append(" ike=")
                .append(c.ikeMessages());
        for (DropReason reason : DropReason.values()) {
            if (reason.isDrop() && c.drops(reason) > 0) {
                out.append(" drop-")
                        .append(reason.name().toLowerCase())
                        .append('=')
                        .append(c.drops(reason));
            }
        }
        for (PathDrop reason : PathDrop.values()) {
            if (c.drops(reason) > 0) {
                out.append(" drop-")
                        .append(reason.name().toLowerCase())
                        .append('=')
                        .append(c.drops(reason));
            }
        }
        DropCounters demux = lane.demuxDrops();
        for (net.ipsecgw.natt.DropReason reason : net.ipsecgw.natt.DropReason.values()) {
            if (demux.get(reason) > 0) {
                out.append(" drop-")
                        .append(reason.name().toLowerCase())
                        .append('=')
                        .append(demux.get(reason));
            }
        }
        out.append('\n');
    }

    private static void saLine(StringBuilder out, String direction, String tunnel, Lane lane, EspSa sa) {
        out.append("sa=")
                .append(direction)
                .append(" tunnel=")
                .append(tunnel)
                .append(" lane=")
                .append(lane.index())
                .append(" spi=0x")
                .append(Integer.toHexString(sa.spi()))
                .append(" packets=")
                .append(sa.packets())
                .append(" bytes=")
                .append(sa.bytes())
                .append('\n');
    }
}
