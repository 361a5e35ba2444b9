package net.ipsecgw.core.control;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import net.ipsecgw.core.datapath.AcquireTrigger;
import net.ipsecgw.core.datapath.SendChannels;
import net.ipsecgw.core.datapath.TunnelEntry;
import net.ipsecgw.core.datapath.TunnelLane;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * One IKE connection's tunnel on the data path: its policy (from {@code installPolicy}) and the Child
 * SA pairs installed for it, oldest first, and what the lanes' tables hold of it as of the last
 * {@link #refresh}: lane k sends on its per-CPU pair, else on the fallback pair, where a lane's pair
 * (and the fallback pair) is the newest of the pairs that we {@linkplain ChildSaSpec#initiated()
 * initiated}, or the oldest, whichever is newer: a pair we answered waits until the older ones are
 * removed, since its initiator installs it only once our answer arrives (a rekey responder's rule in
 * RFC 7296 §2.8; and a peer with more lanes than ours adds pairs to lanes that have one, which must not
 * move our traffic). Every pair's inbound SA stays in its lane's SAD until the pair is removed
 * (make-before-break). A refresh keeps every lane view that did not change, so a build touches only the
 * lanes that did.
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

    // As of the last refresh: what the lanes' tables hold of this tunnel.
    private TunnelLane[] views;
    private List<TsRange> selectorsLocal;
    private List<TsRange> selectorsRemote;
    private List<TrafficSelector> selectors = List.of();
    private Object inboundKey;
    private Spd<Boolean> inboundPolicy;
    private List<InstalledPair> published = List.of();

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

    /**
     * What one {@link #refresh} changed.
     *
     * @param viewsChanged the lanes whose view of the tunnel is a new object (its SPD entries and the
     *     SAD entries of its inbound SAs on that lane must point to it)
     * @param selectorsChanged the outbound selectors changed (every lane's SPD must be rebuilt)
     * @param added pairs whose inbound SAs the lanes do not hold yet
     * @param removed pairs whose inbound SAs the lanes hold and must drop
     */
    record Update(
            BitSet viewsChanged, boolean selectorsChanged, List<InstalledPair> added, List<InstalledPair> removed) {}

    /**
     * Brings the tunnel's lane views, selectors and published pairs up to date with its pairs and
     * policy, keeping every view, selector list and inbound policy that did not change (so that lanes
     * whose view is the same need no new tables), and says what changed.
     */
    Update refresh(int laneCount, SendChannels channels) {
        InstalledPair fallback = null;
        InstalledPair newest = null;
        InstalledPair[] own = new InstalledPair[laneCount];
        for (InstalledPair pair : pairs.values()) { // oldest first
            if (pair.spec.isFallback()) {
                fallback = sends(fallback, pair);
            } else if (pair.spec.lane() < laneCount) {
                own[pair.spec.lane()] = sends(own[pair.spec.lane()], pair);
            }
            newest = pair;
        }
        // Outbound: the newest pair's (narrowed) selectors, else the policy's.
        List<TsRange> local = newest != null ? newest.spec.localTs() : policyLocal;
        List<TsRange> remote = newest != null ? newest.spec.remoteTs() : policyRemote;
        boolean selectorsChanged = !Objects.equals(local, selectorsLocal) || !Objects.equals(remote, selectorsRemote);
        if (selectorsChanged) {
            selectorsLocal = local;
            selectorsRemote = remote;
            selectors = local == null ? List.of() : TsPrefixes.outbound(local, remote);
        }
        // Inbound: the union of every installed pair's selectors (older pairs still receive), else the policy's.
        Set<List<List<TsRange>>> admitted = new LinkedHashSet<>();
        if (pairs.isEmpty() && hasPolicy()) {
            admitted.add(List.of(policyLocal, policyRemote));
        }
        for (InstalledPair pair : pairs.values()) {
            admitted.add(List.of(pair.spec.localTs(), pair.spec.remoteTs()));
        }
        boolean policyChanged = inboundPolicy == null || !admitted.equals(inboundKey);
        if (policyChanged) {
            inboundKey = admitted;
            inboundPolicy = inboundPolicy(admitted);
        }
        BitSet viewsChanged = new BitSet(laneCount);
        TunnelLane[] next = new TunnelLane[laneCount];
        for (int k = 0; k < laneCount; k++) {
            TunnelLane.Sender ownSender = sender(own[k], k, channels);
            TunnelLane.Sender fallbackSender = sender(fallback, k, channels);
            TunnelLane old = views == null ? null : views[k];
            if (old != null
                    && !policyChanged
                    && Objects.equals(old.own(), ownSender)
                    && Objects.equals(old.fallback(), fallbackSender)) {
                next[k] = old;
            } else {
                next[k] = new TunnelLane(name, ownSender, fallbackSender, inboundPolicy, acquires.get(k));
                viewsChanged.set(k);
            }
        }
        views = next;
        List<InstalledPair> current = List.copyOf(pairs.values());
        List<InstalledPair> added = new ArrayList<>();
        for (InstalledPair pair : current) {
            if (!published.contains(pair)) {
                added.add(pair);
            }
        }
        List<InstalledPair> removed = new ArrayList<>();
        for (InstalledPair pair : published) {
            if (!current.contains(pair)) {
                removed.add(pair);
            }
        }
        published = current;
        return new Update(viewsChanged, selectorsChanged, added, removed);
    }

    /** Which of two pairs of one lane (or two fallback pairs) sends: {@code newer} if we initiated it. */
    private static InstalledPair sends(InstalledPair older, InstalledPair newer) {
        return older == null || newer.spec.initiated() ? newer : older;
    }

    /** Lane {@code lane}'s view as of the last {@link #refresh}, or null before the first. */
    TunnelLane view(int lane) {
        return views == null ? null : views[lane];
    }

    /** The outbound selectors as of the last {@link #refresh}. */
    List<TrafficSelector> selectors() {
        return selectors;
    }

    /** The pairs whose inbound SAs the lanes hold (or are about to) as of the last {@link #refresh}. */
    List<InstalledPair> published() {
        return published;
    }

    /** The tunnel as of the last {@link #refresh}, for a build of every lane's tables. */
    TunnelEntry entry() {
        List<TunnelEntry.InboundEntry> inbound = new ArrayList<>(published.size());
        for (InstalledPair pair : published) {
            inbound.add(new TunnelEntry.InboundEntry(pair.inbound, pair.activity));
        }
        return new TunnelEntry(name, selectors, List.of(views), inbound);
    }

    private static TunnelLane.Sender sender(InstalledPair pair, int lane, SendChannels channels) {
        if (pair == null) {
            return null;
        }
        boolean multiport = pair.spec.multiport() && !pair.spec.isFallback();
        return new TunnelLane.Sender(pair.outboundFor(lane), channels.forLane(lane, multiport), pair.spec.peer());
    }

    /** What may arrive: the union of the given (local, remote) selector pairs. */
    private static Spd<Boolean> inboundPolicy(Set<List<List<TsRange>>> admitted) {
        Spd.Builder<Boolean> builder = Spd.builder();
        for (List<List<TsRange>> selectors : admitted) {
            TsPrefixes.inbound(selectors.get(0), selectors.get(1)).forEach(s -> builder.add(s, true));
        }
        return builder.build();
    }
}
