package net.ipsecgw.core;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.ManualKeying;
import net.ipsecgw.core.config.ManualSa;
import net.ipsecgw.core.config.TunnelConfig;
import net.ipsecgw.core.datapath.AcquireTrigger;
import net.ipsecgw.core.datapath.InboundActivity;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.TablesBuilder;
import net.ipsecgw.core.datapath.TunnelEntry;
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
 * Turns the configured (manually keyed) tunnels into {@link TunnelEntry}s, which {@link TablesBuilder}
 * makes into each lane's tables (the same path IKE's Child SAs take): per lane, the SPD with the SA it
 * sends on for every tunnel, and the SAD of the inbound SAs that land on it ({@code SPI mod N}). Runs on
 * the control thread; the SAs it creates pass to their lanes with the tables.
 */
final class TunnelInstaller {
    /** Which socket lane k sends a tunnel's traffic from. */
    @FunctionalInterface
    interface SendChannels extends net.ipsecgw.core.datapath.SendChannels {}

    private TunnelInstaller() {}

    /**
     * One set of tables per lane.
     *
     * @throws IllegalArgumentException naming the tunnel and SA when the configuration cannot be
     *     installed on {@code laneCount} lanes (a lane beyond the last, an inbound SPI on the wrong lane)
     */
    static List<Lane.Tables> build(GatewayConfig config, int laneCount, SendChannels channels) {
        return TablesBuilder.build(laneCount, entries(config, laneCount, channels));
    }

    /**
     * The configured tunnels, each with its SAs created (installed now), in configuration order.
     *
     * @throws IllegalArgumentException as {@link #build}
     */
    static List<TunnelEntry> entries(
            GatewayConfig config, int laneCount, net.ipsecgw.core.datapath.SendChannels channels) {
        long now = System.nanoTime();
        List<TunnelEntry> entries = new ArrayList<>();
        for (TunnelConfig tunnel : config.tunnels()) {
            List<TunnelEntry.InboundEntry> inbound = new ArrayList<>();
            for (ManualSa sa : tunnel.manual().inbound()) {
                laneOf(tunnel, sa, laneCount);
                InboundSa in = new InboundSa(parameters(tunnel.manual(), sa), LifetimeListener.NONE, now);
                inbound.add(new TunnelEntry.InboundEntry(in, new InboundActivity()));
            }
            entries.add(new TunnelEntry(
                    tunnel.name(), tunnel.selectors(), tunnelLanes(tunnel, laneCount, channels, now), inbound));
        }
        return entries;
    }

    private static List<TunnelLane> tunnelLanes(
            TunnelConfig tunnel, int laneCount, net.ipsecgw.core.datapath.SendChannels channels, long now) {
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
            TunnelLane.Sender own = perCpu[k] == null
                    ? null
                    : new TunnelLane.Sender(perCpu[k], channels.forLane(k, tunnel.multiport()), peer);
            TunnelLane.Sender shared = new TunnelLane.Sender(fallbackCopies.get(k), channels.forLane(k, false), peer);
            views.add(new TunnelLane(tunnel.name(), own, shared, inboundPolicy, AcquireTrigger.NONE));
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
