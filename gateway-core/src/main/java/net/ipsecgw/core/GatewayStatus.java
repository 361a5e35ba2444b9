package net.ipsecgw.core;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.ipsecgw.core.control.ChildSaStatus;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.LaneCounters;
import net.ipsecgw.core.datapath.PathDrop;
import net.ipsecgw.core.datapath.TunnelLane;
import net.ipsecgw.core.red.TrafficGenerator;
import net.ipsecgw.esp.DropReason;
import net.ipsecgw.esp.EspSa;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.ChildSaUsage;
import net.ipsecgw.ike.sa.IkeSaStatus;
import net.ipsecgw.natt.DropCounters;

/**
 * A plain-text snapshot of a running gateway's counters: one line per lane, one per SA in the lanes'
 * tables, one per IKE Child SA pair ({@code child=}) and, in generator mode, one per lane's traffic
 * generator ({@code generator=}), as {@code key=value} words that scripts and tests can parse. Read from any thread; the counters are
 * the lanes' own, read without locks, so figures from a busy gateway are a moment apart.
 */
public final class GatewayStatus {
    private GatewayStatus() {}

    /** The status of {@code gateway}. */
    public static String render(Gateway gateway) {
        return render(gateway, List.of());
    }

    /** The status of {@code gateway} with one {@code ike=} line per IKE SA. */
    public static String render(Gateway gateway, List<IkeSaStatus> ikeSas) {
        StringBuilder out = new StringBuilder();
        for (IkeSaStatus ike : ikeSas) {
            ikeLine(out, ike);
        }
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
                if (tunnel.outbound() != null && seen.add(tunnel.outbound())) {
                    saLine(out, tunnel.perCpu() ? "out" : "out-fallback", tunnel.name(), lane, tunnel.outbound());
                }
            }
        }
        for (ChildSaStatus child : gateway.childSas()) {
            childLine(out, child);
        }
        for (TrafficGenerator generator : gateway.generators()) {
            generatorLine(out, generator);
        }
        return out.toString();
    }

    private static void ikeLine(StringBuilder out, IkeSaStatus ike) {
        out.append("ike=")
                .append(ike.connection())
                .append(" state=")
                .append(ike.state())
                .append(" spi_i=")
                .append(Long.toHexString(ike.initiatorSpi()))
                .append(" spi_r=")
                .append(Long.toHexString(ike.responderSpi()))
                .append(" role=")
                .append(ike.initiator() ? "initiator" : "responder")
                .append(" remote=")
                .append(ike.remote().getAddress().getHostAddress())
                .append(':')
                .append(ike.remote().getPort())
                .append(" id=")
                .append(
                        ike.remoteIdentity().isEmpty()
                                ? "-"
                                : ike.remoteIdentity().replace(' ', '_'))
                .append(" alg=")
                .append(ike.algorithms().isEmpty() ? "-" : ike.algorithms())
                .append(" per_cpu=")
                .append(ike.perCpu())
                .append(" multiport=")
                .append(ike.multiport())
                .append(" nat=")
                .append(nat(ike))
                .append(" children=")
                .append(ike.children().size())
                .append('\n');
    }

    /** Where NAT detection found a NAT: {@code none}, {@code here} (us), {@code there} (the peer), {@code both}. */
    private static String nat(IkeSaStatus ike) {
        if (ike.natHere()) {
            return ike.natThere() ? "both" : "here";
        }
        return ike.natThere() ? "there" : "none";
    }

    private static void childLine(StringBuilder out, ChildSaStatus child) {
        ChildSaUsage usage = child.usage();
        out.append("child=")
                .append(child.id())
                .append(" tunnel=")
                .append(child.tunnel())
                .append(" lane=")
                .append(child.lane() == ChildSaSpec.FALLBACK ? "fallback" : String.valueOf(child.lane()))
                .append(" in-spi=0x")
                .append(Integer.toHexString(child.inboundSpi()))
                .append(" in-lane=")
                .append(child.inboundLane())
                .append(" out-spi=0x")
                .append(Integer.toHexString(child.outboundSpi()))
                .append(" source-port=")
                .append(child.sourcePort())
                .append(" in-packets=")
                .append(usage.inboundPackets())
                .append(" in-bytes=")
                .append(usage.inboundBytes())
                .append(" out-packets=")
                .append(usage.outboundPackets())
                .append(" out-bytes=")
                .append(usage.outboundBytes())
                .append('\n');
    }

    private static void generatorLine(StringBuilder out, TrafficGenerator generator) {
        out.append("generator=")
                .append(generator.lane())
                .append(" sent=")
                .append(generator.sent())
                .append(" received=")
                .append(generator.received())
                .append(" bad=")
                .append(generator.bad())
                .append(" out-of-order=")
                .append(generator.outOfOrder())
                .append('\n');
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
        if (c.gsoSends() > 0) {
            out.append(" gso-sends=")
                    .append(c.gsoSends())
                    .append(" gso-segments=")
                    .append(c.gsoSegments());
        }
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
