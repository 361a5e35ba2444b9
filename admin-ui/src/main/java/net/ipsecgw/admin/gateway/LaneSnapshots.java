package net.ipsecgw.admin.gateway;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.LaneCounters;
import net.ipsecgw.core.datapath.PathDrop;
import net.ipsecgw.esp.DropReason;
import net.ipsecgw.natt.DropCounters;

/** Reads a lane's counters into a {@link LaneSnapshot} (no lock; the lane keeps counting meanwhile). */
final class LaneSnapshots {
    private LaneSnapshots() {}

    static LaneSnapshot of(String gateway, Lane lane) {
        LaneCounters c = lane.counters();
        return new LaneSnapshot(
                gateway,
                lane.index(),
                c.espReceived(),
                c.espReceivedBytes(),
                c.espSent(),
                c.espSentBytes(),
                c.keepalives(),
                c.ikeMessages(),
                drops(lane));
    }

    private static Map<String, Long> drops(Lane lane) {
        Map<String, Long> drops = new LinkedHashMap<>();
        LaneCounters c = lane.counters();
        for (DropReason reason : DropReason.values()) {
            if (reason.isDrop()) {
                put(drops, reason.name(), c.drops(reason));
            }
        }
        for (PathDrop reason : PathDrop.values()) {
            put(drops, reason.name(), c.drops(reason));
        }
        DropCounters demux = lane.demuxDrops();
        for (net.ipsecgw.natt.DropReason reason : net.ipsecgw.natt.DropReason.values()) {
            put(drops, reason.name(), demux.get(reason));
        }
        return drops;
    }

    private static void put(Map<String, Long> drops, String reason, long count) {
        if (count > 0) {
            drops.merge(reason.toLowerCase(Locale.ROOT), count, Long::sum);
        }
    }
}
