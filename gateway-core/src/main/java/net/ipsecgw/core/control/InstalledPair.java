package net.ipsecgw.core.control;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import net.ipsecgw.core.datapath.InboundActivity;
import net.ipsecgw.esp.EspSa;
import net.ipsecgw.esp.InboundSa;
import net.ipsecgw.esp.LifetimeListener;
import net.ipsecgw.esp.OutboundSa;
import net.ipsecgw.esp.SaLifetime;
import net.ipsecgw.esp.SaParameters;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.ChildSaUsage;

/**
 * One installed Child SA pair: its inbound SA (on lane {@code SPI mod N}), its outbound SA (one for a
 * per-CPU pair, one copy per lane for the fallback pair) and the flags that let each lifetime event
 * reach the control plane once, whichever SA or copy reaches the limit first.
 *
 * <p>Created and dropped by the control loop; the SAs belong to their lanes. The lifetime callbacks run
 * on the lanes and only flip an atomic flag and hand a task to the control loop.
 */
final class InstalledPair implements LifetimeListener {
    /** Where lifetime events go: a task on the control loop. */
    @FunctionalInterface
    interface ExpiryReports {
        void expired(long id, boolean hard);
    }

    final ChildSaSpec spec;
    final InboundSa inbound;
    final InboundActivity activity = new InboundActivity();
    /** One SA for a per-CPU pair; copy k for lane k for the fallback pair. */
    final List<OutboundSa> outbound;

    private final ExpiryReports reports;
    private final AtomicBoolean softReported = new AtomicBoolean();
    private final AtomicBoolean hardReported = new AtomicBoolean();

    InstalledPair(ChildSaSpec spec, int laneCount, ExpiryReports reports, long nowNanos) {
        this.spec = spec;
        this.reports = reports;
        SaLifetime lifetime = spec.lifetime();
        SaParameters in = new SaParameters(
                spec.inboundSpi(), spec.suite(), spec.inboundKey(), spec.esn(), spec.replayWindow(), lifetime);
        SaParameters out = new SaParameters(
                spec.outboundSpi(), spec.suite(), spec.outboundKey(), spec.esn(), spec.replayWindow(), lifetime);
        this.inbound = new InboundSa(in, this, nowNanos);
        this.outbound = spec.isFallback()
                ? OutboundSa.sharedCopies(out, laneCount, this, nowNanos)
                : List.of(new OutboundSa(out, this, nowNanos));
    }

    /** Lane {@code lane}'s outbound SA of this pair. */
    OutboundSa outboundFor(int lane) {
        return spec.isFallback() ? outbound.get(lane) : outbound.getFirst();
    }

    /** Packets and bytes so far, summed over the lanes (plain reads of the lanes' counters). */
    ChildSaUsage usage() {
        long outPackets = 0;
        long outBytes = 0;
        for (OutboundSa sa : outbound) {
            outPackets += sa.packets();
            outBytes += sa.bytes();
        }
        return new ChildSaUsage(inbound.packets(), inbound.bytes(), outPackets, outBytes, activity.lastNanos());
    }

    @Override
    public void softExpired(EspSa sa, SaLifetime.Kind kind) {
        if (softReported.compareAndSet(false, true)) {
            reports.expired(spec.id(), false);
        }
    }

    @Override
    public void hardExpired(EspSa sa, SaLifetime.Kind kind) {
        if (hardReported.compareAndSet(false, true)) {
            reports.expired(spec.id(), true);
        }
    }

    @Override
    public String toString() {
        return spec.toString();
    }
}
