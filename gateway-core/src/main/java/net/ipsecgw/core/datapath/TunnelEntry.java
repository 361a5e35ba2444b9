package net.ipsecgw.core.datapath;

import java.util.List;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.esp.InboundSa;

/**
 * One tunnel as every lane's tables hold it, whether manually keyed or negotiated by IKE: its
 * outbound selectors, its view on each lane, and its inbound SAs (each goes to lane {@code SPI mod N}).
 * {@link TablesBuilder} turns a list of these into each lane's {@link Lane.Tables}.
 *
 * <p>Built on the control thread; the SAs in it belong to their lanes once the tables are installed.
 *
 * @param name the tunnel's name
 * @param selectors the outbound selectors (local to remote); none for a tunnel without policy
 * @param lanes lane k's view of the tunnel, index k
 * @param inbound the inbound SAs, with their activity record
 */
public record TunnelEntry(
        String name, List<TrafficSelector> selectors, List<TunnelLane> lanes, List<InboundEntry> inbound) {

    /** Copies the lists. */
    public TunnelEntry {
        selectors = List.copyOf(selectors);
        lanes = List.copyOf(lanes);
        inbound = List.copyOf(inbound);
    }

    /**
     * An inbound SA and the record of its last activity, which outlives table rebuilds.
     *
     * @param sa the SA
     * @param activity when it last decrypted a packet
     */
    public record InboundEntry(InboundSa sa, InboundActivity activity) {}
}
