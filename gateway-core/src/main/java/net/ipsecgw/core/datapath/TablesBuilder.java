package net.ipsecgw.core.datapath;

import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.natt.SpiAllocator;

/**
 * Builds every lane's {@link Lane.Tables} from the tunnels, manually keyed and IKE ones alike: lane k's
 * SPD leads each selector to the tunnel's lane-k view, lane k's SAD holds the inbound SAs whose SPI is
 * k mod N. Tunnels listed earlier win among equally specific selectors.
 *
 * <p>Stateless; runs on the control thread.
 */
public final class TablesBuilder {
    private TablesBuilder() {}

    /**
     * One set of tables per lane.
     *
     * @throws IllegalArgumentException when two inbound SAs share an SPI or a tunnel has no view of some lane
     */
    public static List<Lane.Tables> build(int laneCount, List<TunnelEntry> tunnels) {
        List<Lane.Tables> tables = new ArrayList<>(laneCount);
        for (int k = 0; k < laneCount; k++) {
            tables.add(forLane(k, laneCount, tunnels));
        }
        return tables;
    }

    private static Lane.Tables forLane(int lane, int laneCount, List<TunnelEntry> tunnels) {
        Spd.Builder<TunnelLane> spd = Spd.builder();
        IntObjectHashMap<Lane.Inbound> sad = new IntObjectHashMap<>();
        List<TunnelLane> targets = new ArrayList<>();
        for (TunnelEntry tunnel : tunnels) {
            if (tunnel.lanes().size() != laneCount) {
                throw new IllegalArgumentException("tunnel '" + tunnel.name() + "' has views of "
                        + tunnel.lanes().size() + " lanes, not " + laneCount);
            }
            TunnelLane view = tunnel.lanes().get(lane);
            targets.add(view);
            for (TrafficSelector selector : tunnel.selectors()) {
                spd.add(selector, view);
            }
            for (TunnelEntry.InboundEntry in : tunnel.inbound()) {
                int spi = in.sa().spi();
                if (SpiAllocator.laneOf(spi, laneCount) == lane
                        && sad.put(spi, new Lane.Inbound(in.sa(), view, in.activity())) != null) {
                    throw new IllegalArgumentException("inbound SPI 0x" + Integer.toHexString(spi)
                            + " is installed twice (tunnel '" + tunnel.name() + "')");
                }
            }
        }
        return new Lane.Tables(spd.build(), sad, targets);
    }
}
