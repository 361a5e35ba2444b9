package net.ipsecgw.core.datapath;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.esp.OutboundSa;

/**
 * One tunnel as one lane sees it: the SA this lane sends on (its per-CPU SA, or its copy of the
 * fallback SA), the socket it sends from, the peer, and the tunnel's selectors turned around to check
 * what arrives (inner source in the remote subnets, inner destination in the local ones).
 *
 * <p>Built by the control thread, then owned by the lane's thread.
 *
 * @param name the tunnel's name
 * @param outbound the SA to encrypt with on this lane
 * @param channel the lane's socket to send from (its source-port socket for a per-CPU SA with multiport,
 *     else its NAT-T port socket)
 * @param peer the peer's NAT-T address
 * @param inboundPolicy the reversed selectors; any non-null lookup result means "allowed"
 * @param perCpu true when {@code outbound} is this lane's own per-CPU SA
 */
public record TunnelLane(
        String name,
        OutboundSa outbound,
        Channel channel,
        InetSocketAddress peer,
        Spd<Boolean> inboundPolicy,
        boolean perCpu) {

    /** True when the decrypted inner packet in {@code packet}'s readable bytes may use this tunnel. */
    boolean admits(ByteBuf packet) {
        return inboundPolicy.lookup(packet, packet.readerIndex()) != null;
    }
}
