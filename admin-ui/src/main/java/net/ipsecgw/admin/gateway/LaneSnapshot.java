package net.ipsecgw.admin.gateway;

import java.util.Map;

/**
 * One lane's counters at one moment (read without locks from the lane's own counters).
 *
 * @param gateway the gateway the lane belongs to
 * @param lane the lane's index
 * @param espInPackets ESP packets decrypted and delivered
 * @param espInBytes their inner bytes
 * @param espOutPackets ESP packets encrypted and sent
 * @param espOutBytes their inner bytes
 * @param keepalives NAT keepalives received
 * @param ikeMessages IKE messages received on the NAT-T port
 * @param drops packets dropped, by reason (lower case), only reasons that happened
 */
public record LaneSnapshot(
        String gateway,
        int lane,
        long espInPackets,
        long espInBytes,
        long espOutPackets,
        long espOutBytes,
        long keepalives,
        long ikeMessages,
        Map<String, Long> drops) {

    /** Copies the map. */
    public LaneSnapshot {
        drops = Map.copyOf(drops);
    }
}
