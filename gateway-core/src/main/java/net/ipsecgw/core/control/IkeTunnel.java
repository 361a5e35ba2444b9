package net.ipsecgw.core.control;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import net.ipsecgw.core.datapath.AcquireTrigger;
import net.ipsecgw.core.datapath.SendChannels;
import net.ipsecgw.core.datapath.TunnelEntry;
import net.ipsecgw.core.datapath.TunnelLane;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * One IKE connection's tunnel on the data path: its policy (from {@code installPolicy}) and the Child
 * SA pairs installed for it, oldest first. Turns into a {@link TunnelEntry} for every table rebuild:
 * lane k sends on the newest per-CPU pair of lane k, else on the newest fallback pair; every pair's
 * inbound SA stays in its lane's SAD until the pair is removed (make-before-break).
 *
 * <p>Owned by the control loop. Its acquire triggers belong one to each lane and outlive rebuilds.
 */
final class IkeTunnel {
    private static final long ACQUIRE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    final String name;
    private final List<AcquireTrigger> acquires;
    private final Map<Long, InstalledPair> pairs = new LinkedHashMap<>();
    private List<TsRange> policyLocal;
    private List<TsRange> policyRemote;

    /** A tunnel of {@code laneCount} lanes whose acquires run {@code report.apply(lane)} on {@code controlLoop}. */
    IkeTunnel(String name, int laneCount, Executor controlLoop, IntFunction<Runnable> report) {
        this.name = name;
        List<AcquireTrigger> triggers = new ArrayList<>(laneCount);
        for (int k = 0; k < laneCount; k++) {
            triggers.add(new AcquireTrigger(controlLoop, report.apply(k), ACQUIRE_INTERVAL_NANOS));
        }
        this.acquires = List.copyOf(triggers);
    }

    void policy(List<TsRange> local, List<TsRange> remote) {
        this.policyLocal = List.copyOf(local);
        this.policyRemote = List.copyOf(remote);
    }

    boolean hasPolicy() {
        return policyLocal != null;
    }

    void add(InstalledPair pair) {
        pairs.put(pair.spec.id(), pair);
    }

    void remove(long id) {
        pairs.remove(id);
    }

    List<InstalledPair> pairs() {
        return List.copyOf(pairs.values());
    }

    /** True when nothing keeps the tunnel: no policy and no pair. */
    boolean isEmpty() {
        return policyLocal == null && pairs.isEmpty();
    }

    /** The tunnel as the lanes' tables hold it now. */
    TunnelEntry entry(int laneCount, SendChannels channels) {
        InstalledPair fallback = null;
        InstalledPair[] own = new InstalledPair[laneCount];
        List<TunnelEntry.InboundEntry> inbound = new ArrayList<>();
        for (InstalledPair pair : pairs.values()) { // oldest first: the newest wins
            if (pair.spec.isFallback()) {
                fallback = pair;
            } else if (pair.spec.lane() < laneCount) {
                own[pair.spec.lane()] = pair;
            }
            inbound.add(new TunnelEntry.InboundEntry(pair.inbound, pair.activity));
        }
        Spd<Boolean> inboundPolicy = inboundPolicy();
        List<TunnelLane> views = new ArrayList<>(laneCount);
        for (int k = 0; k < laneCount; k++) {
            views.add(new TunnelLane(
                    name, sender(own[k], k, channels), sender(fallback, k, channels), inboundPolicy, acquires.get(k)));
        }
        return new TunnelEntry(name, outboundSelectors(), views, inbound);
    }

    private static TunnelLane.Sender sender(InstalledPair pair, int lane, SendChannels channels) {
        if (pair == null) {
            return null;
        }
        boolean multiport = pair.spec.multiport() && !pair.spec.isFallback();
        return new TunnelLane.Sender(pair.outboundFor(lane), channels.forLane(lane, multiport), pair.spec.peer());
    }

    /** The newest pair's (narrowed) selectors, else the policy's. */
    private List<TrafficSelector> outboundSelectors() {
        InstalledPair newest = null;
        for (InstalledPair pair : pairs.values()) {
            newest = pair;
        }
        if (newest != null) {
            return TsPrefixes.outbound(newest.spec.localTs(), newest.spec.remoteTs());
        }
        return hasPolicy() ? TsPrefixes.outbound(policyLocal, policyRemote) : List.of();
    }

    /** What may arrive: the union of every installed pair's selectors (older pairs still receive), else the policy's. */
    private Spd<Boolean> inboundPolicy() {
        Spd.Builder<Boolean> builder = Spd.builder();
        if (pairs.isEmpty() && hasPolicy()) {
            TsPrefixes.inbound(policyLocal, policyRemote).forEach(s -> builder.add(s, true));
        }
        for (InstalledPair pair : pairs.values()) {
            TsPrefixes.inbound(pair.spec.localTs(), pair.spec.remoteTs()).forEach(s -> builder.add(s, true));
        }
        return builder.build();
    }
}
