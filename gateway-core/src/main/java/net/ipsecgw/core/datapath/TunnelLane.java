package net.ipsecgw.core.datapath;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.esp.OutboundSa;

/**
 * One tunnel as one lane sees it: the lane's own (per-CPU) SA if it has one, its copy of the fallback
 * SA if there is one, and the tunnel's selectors turned around to check what arrives (inner source in
 * the remote subnets, inner destination in the local ones).
 *
 * <p>The lane sends on its own SA while it is usable, else on the fallback SA, else drops the packet
 * ({@link PathDrop#NO_SA}); in the last two cases it fires {@link #acquire()} so the control plane
 * negotiates an SA for the lane.
 *
 * <p>Built by the control thread, then owned by the lane's thread.
 *
 * @param name the tunnel's name
 * @param own this lane's per-CPU SA, or null
 * @param fallback this lane's copy of the fallback SA, or null
 * @param inboundPolicy the reversed selectors; any non-null lookup result means "allowed"
 * @param acquire reports traffic without an SA of this lane's own to the control plane
 */
public record TunnelLane(String name, Sender own, Sender fallback, Spd<Boolean> inboundPolicy, AcquireTrigger acquire) {

    /**
     * An outbound SA and where it sends from and to.
     *
     * @param sa the SA to encrypt with, owned by this lane
     * @param channel the lane's socket to send from (its source-port socket for a per-CPU SA with
     *     multiport, else its NAT-T port socket)
     * @param peer the peer's NAT-T address
     */
    public record Sender(OutboundSa sa, Channel channel, InetSocketAddress peer) {}

    /** The sender to use now: the own SA unless hard-expired, else the fallback unless hard-expired, else null. */
    Sender sender() {
        if (own != null && !own.sa.isHardExpired()) {
            return own;
        }
        return fallback != null && !fallback.sa.isHardExpired() ? fallback : null;
    }

    /** The SA this lane sends on while nothing has expired (own, else fallback), or null. */
    public OutboundSa outbound() {
        Sender sender = own != null ? own : fallback;
        return sender == null ? null : sender.sa;
    }

    /** The socket of {@link #outbound()}, or null. */
    public Channel channel() {
        Sender sender = own != null ? own : fallback;
        return sender == null ? null : sender.channel;
    }

    /** The peer of {@link #outbound()}, or null. */
    public InetSocketAddress peer() {
        Sender sender = own != null ? own : fallback;
        return sender == null ? null : sender.peer;
    }

    /** True when this lane has a per-CPU SA of its own for the tunnel. */
    public boolean perCpu() {
        return own != null;
    }

    /** True when the decrypted inner packet in {@code packet}'s readable bytes may use this tunnel. */
    boolean admits(ByteBuf packet) {
        return inboundPolicy.lookup(packet, packet.readerIndex()) != null;
    }
}
