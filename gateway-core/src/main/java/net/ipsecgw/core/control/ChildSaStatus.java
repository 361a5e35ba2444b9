package net.ipsecgw.core.control;

import java.net.InetSocketAddress;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.ChildSaUsage;

/**
 * A Child SA pair as the data path has it installed, for status pages and metrics. Immutable snapshot.
 *
 * @param id the control plane's identifier of the pair
 * @param tunnel the connection's name
 * @param lane the per-CPU pair's lane, or {@link ChildSaSpec#FALLBACK}
 * @param inboundSpi our SPI
 * @param inboundLane the lane whose SAD holds the inbound SA ({@code SPI mod N})
 * @param outboundSpi the peer's SPI
 * @param peer where the outbound SA sends to
 * @param sourcePort the UDP source port the outbound SA sends from (the lane's own port with multiport,
 *     else the NAT-T port)
 * @param usage what the pair has carried, summed over the lanes
 */
public record ChildSaStatus(
        long id,
        String tunnel,
        int lane,
        int inboundSpi,
        int inboundLane,
        int outboundSpi,
        InetSocketAddress peer,
        int sourcePort,
        ChildSaUsage usage) {}
