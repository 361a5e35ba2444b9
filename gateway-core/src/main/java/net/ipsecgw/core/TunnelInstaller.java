package net.ipsecgw.core;

import io.netty.channel.Channel;
import io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.ManualKeying;
import net.ipsecgw.core.config.ManualSa;
import net.ipsecgw.core.config.TunnelConfig;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.TunnelLane;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.esp.InboundSa;
import net.ipsecgw.esp.LifetimeListener;
import net.ipsecgw.esp.OutboundSa;
import net.ipsecgw.esp.SaLifetime;
import net.ipsecgw.esp.SaParameters;
import net.ipsecgw.natt.SpiAllocator;

/**
 * Turns the configured (manually keyed) tunnels into each lane's tables: per lane, the SPD with the
 * SA it sends on for every tunnel, and the SAD of the inbound SAs that land on it ({@code SPI mod N}).
 * Runs on the control thread; the SAs it creates pass to their lanes with the tables.
 */
final class TunnelInstaller {
    /** Which socket lane k sends a tunnel's traffic from. */
    @FunctionalInterface
    interface SendChannels {
        Channel forLane(int lane, boolean perCpuWithMultiport);
    }

    private TunnelInstaller() {}

    /**
     * One set of tables per lane.
     *
     * @throws IllegalArgumentException naming the tunnel and SA when the configuration cannot be
     *     installed on {@code laneCount} lanes (a lane beyond the last, an inbound SPI on the wrong lane)
     */
    static List<Lane.Tables> build(GatewayConfig config, int laneCount, SendChannels channels) {
        List<Spd.Builder<TunnelLane>> spds = new ArrayList<>();
        List<IntObjectHashMap<Lane.Inbound>> sads = new ArrayList<>();
        List<List<TunnelLane>> targets = new ArrayList<>();
        for (int k = 0; k < laneCount; k++) {
            spds.add(Spd.builder());
            sads.add(new IntObjectHashMap<>());
            targets.add(new ArrayList<>());
        }
        long now = System.nanoTime();
        for (TunnelConfig tunnel : config.tunnels()) {
            List<TunnelLane> views = tunnelLanes(tunnel, laneCount, channels, now);
            for (int k = 0; k < laneCount; k++) {
                targets.get(k).add(views.get(k));
                for (TrafficSelector selector : tunnel.selectors()) {
                    spds.get(k).add(selector, views.get(k));
                }
            }
            for (ManualSa sa : tunnel.manual().inbound()) {
                int lane = laneOf(tunnel, sa, laneCount);
                InboundSa inbound = new InboundSa(parameters(tunnel.manual(), sa), LifetimeListener.NONE, now);
                sads.get(lane).put(sa.wireSpi(), new Lane.Inbound(inbound, views.get(lane)));
            }
        }
        List<Lane.Tables> tables = new ArrayList<>();
        for (int k = 0; k < laneCount; k++) {
            tables.add(new Lane.Tables(spds.get(k).build(), sads.get(k), targets.get(k)));
        }
        return tables;
    }

    private static List<TunnelLane> tunnelLanes(TunnelConfig tunnel, int laneCount, SendChannels channels, long now) {
        ManualKeying keying = tunnel.manual();
        ManualSa fallback = keying.outbound().stream()
                .filter(sa -> sa.lane() == null)
                .findFirst()
                .orElseThrow();
        List<OutboundSa> fallbackCopies =
                OutboundSa.sharedCopies(parameters(keying, fallback), laneCount, LifetimeListener.NONE, now);
        OutboundSa[] perCpu = new OutboundSa[laneCount];
        for (ManualSa sa : keying.outbound()) {
            if (sa.lane() != null) {
                if (sa.lane() >= laneCount) {
                    throw new IllegalArgumentException("tunnel '" + tunnel.name() + "': outbound SA 0x"
                            + Long.toHexString(sa.spi()) + " is for lane " + sa.lane() + ", but there are only "
                            + laneCount + " lanes");
                }
                perCpu[sa.lane()] = new OutboundSa(parameters(keying, sa), LifetimeListener.NONE, now);
            }
        }
        InetSocketAddress peer = new InetSocketAddress(tunnel.remoteAddress(), tunnel.remotePort());
        Spd.Builder<Boolean> reversed = Spd.builder();
        for (TrafficSelector s : tunnel.selectors()) {
            reversed.add(new TrafficSelector(s.remote(), s.local(), s.protocol(), s.fromPort(), s.toPort()), true);
        }
        Spd<Boolean> inboundPolicy = reversed.build();
        List<TunnelLane> views = new ArrayList<>();
        for (int k = 0; k < laneCount; k++) {
            boolean own = perCpu[k] != null;
            OutboundSa out = own ? perCpu[k] : fallbackCopies.get(k);
            Channel channel = channels.forLane(k, own && tunnel.multiport());
            views.add(new TunnelLane(tunnel.name(), out, channel, peer, inboundPolicy, own));
        }
        return views;
    }

    private static int laneOf(TunnelConfig tunnel, ManualSa sa, int laneCount) {
        int lane = SpiAllocator.laneOf(sa.wireSpi(), laneCount);
        if (sa.lane() != null && sa.lane() != lane) {
            throw new IllegalArgumentException("tunnel '" + tunnel.name() + "': inbound SA 0x"
                    + Long.toHexString(sa.spi()) + " is configured for lane " + sa.lane() + ", but the kernel steers"
                    + " SPI mod " + laneCount + " = " + lane + " to lane " + lane
                    + "; choose an SPI with SPI mod " + laneCount + " = " + sa.lane());
        }
        return lane;
    }

    private static SaParameters parameters(ManualKeying keying, ManualSa sa) {
        return new SaParameters(
                sa.wireSpi(), keying.suite(), sa.key(), keying.esn(), keying.replayWindow(), SaLifetime.UNLIMITED);
    }
}
