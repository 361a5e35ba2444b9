package net.ipsecgw.core.datapath;

import io.netty.channel.Channel;

/** Which socket lane k sends a tunnel's traffic from. Immutable; any thread. */
@FunctionalInterface
public interface SendChannels {
    /**
     * Lane {@code lane}'s source-port socket for a per-CPU SA with multiport, else its socket in the
     * NAT-T port group.
     */
    Channel forLane(int lane, boolean perCpuWithMultiport);
}
