package net.ipsecgw.core.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.SendChannels;
import net.ipsecgw.core.datapath.TablesBuilder;
import net.ipsecgw.core.datapath.TunnelEntry;
import net.ipsecgw.core.datapath.TunnelLane;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.ChildSaUsage;
import net.ipsecgw.ike.dataplane.DataPlane;
import net.ipsecgw.ike.dataplane.DataPlaneListener;
import net.ipsecgw.ike.dataplane.IkeSaPath;
import net.ipsecgw.ike.dataplane.TsRange;
import net.ipsecgw.natt.SpiAllocator;
import net.ipsecgw.natt.UdpEncapsulation;

/**
 * The gateway's lanes as the IKE control plane sees them ({@link DataPlane}): Child SA pairs and
 * policies become new immutable {@link Lane.Tables} (manually keyed tunnels first, then the IKE tunnels
 * in the order their policies or first pairs arrived), published by submitting {@link Lane#install} to
 * each lane's loop; lanes report acquires, lifetime expiries and IKE messages back by handing tasks to
 * the control loop.
 *
 * <pre>
 *  control loop: install/remove/policy --> IkeTunnel state, tunnel marked changed --> one build queued
 *  build (next task): changed tunnels refresh their lane views --> only the lanes touched get new Tables:
 *                     SAD copied and edited, SPD rebuilt if a view on it changed
 *                     --submit--> lane k: install(tables k)  (stages complete when those and earlier lanes have)
 *  lane k:  acquire (no own SA) / SA lifetime event / IKE on port 4500 --execute--> control loop --> listener
 * </pre>
 *
 * <p>Every change made before the queued build runs shares it (a burst of installs, a removed policy
 * with its pairs), and a per-CPU pair touches only its own lane's tables. {@link #publish()} builds
 * every lane's tables from scratch ({@link TablesBuilder}), as the first build does.
 *
 * <p>NAT keepalives (RFC 3948 §4) for IKE peers: while an IKE SA's path says a NAT translates us
 * ({@link IkeSaPath#natHere()}), a timer on the control loop sends one 0xFF octet every keepalive
 * interval to the peer's current address, from port 4500 (lane 0's socket, as IKE) and from the source
 * port of every lane that sends a multiport per-CPU pair of that tunnel, so that the NAT keeps each
 * mapping open.
 *
 * <p>Owned by the control loop: every {@link DataPlane} method must be called on it, and the listener
 * is only called on it. {@link #childSas()} may be called from any thread.
 */
public final class LaneDataPlane implements DataPlane, Lane.IkeSink {
    private final List<Lane> lanes;
    private final EventExecutor controlLoop;
    private final SendChannels channels;
    private final IkeSender ikeSender;
    private final List<TunnelEntry> manual;
    private final Set<Integer> manualSpis;
    private final SpiAllocator spis;
    /** Every SPI allocated and not yet freed, and every manual inbound SPI. */
    private final Set<Integer> spisInUse = new HashSet<>();

    private final Map<String, IkeTunnel> tunnels = new LinkedHashMap<>();
    private final Map<Long, InstalledPair> pairs = new LinkedHashMap<>();
    private final Map<Integer, InstalledPair> pairsBySpi = new HashMap<>();

    // Table builds: one per control-loop turn with changes; only the lanes a change touches get tables.
    /** Each lane's tables as last submitted to it. */
    private final Lane.Tables[] submitted;
    /** Tunnels changed since the last build (by name), and tunnels removed since then. */
    private final Set<String> changedTunnels = new LinkedHashSet<>();

    private final List<IkeTunnel> removedTunnels = new ArrayList<>();
    /** The next build is of every lane from scratch (the first one, after a failure, or {@link #publish()}). */
    private boolean rebuildAll = true;
    /** The build queued on the control loop, shared by every change it will carry; null when none is. */
    private CompletableFuture<Void> scheduled;
    /** Completes (never exceptionally) once the last build's lanes run its tables. */
    private CompletableFuture<Void> previousBuild = CompletableFuture.completedFuture(null);

    private DataPlaneListener listener = Listeners.DISCARD;
    /** The pairs of the newest build that every lane has installed: what {@link #childSas()} shows. */
    private volatile List<InstalledPair> installed = List.of();

    private long builtGeneration;
    private long shownGeneration;
    private final int[] sourcePorts;
    private final int natTPort;
    private final Duration keepaliveInterval;
    /** The keepalives of the IKE SAs behind a NAT, by IKE SA id. */
    private final Map<Long, Keepalive> keepalives = new HashMap<>();

    private volatile long keepalivesSent;

    /**
     * A data plane over {@code lanes}.
     *
     * @param lanes the gateway's lanes, in order
     * @param controlLoop the control loop every call runs on
     * @param channels the sockets each lane sends from
     * @param sourcePorts the lanes' source ports (for status, and whether lanes have their own socket for
     *     keepalives; empty without multiport sockets)
     * @param natTPort the NAT-T port (status only)
     * @param keepaliveInterval how often an IKE SA with a NAT in front of us sends NAT keepalives (zero:
     *     never)
     * @param manual the manually keyed tunnels, installed beside the IKE ones
     * @param ikeSender sends IKE messages
     * @param random the SPI source (a {@link SecureRandom} in production)
     */
    public LaneDataPlane(
            List<Lane> lanes,
            EventExecutor controlLoop,
            SendChannels channels,
            int[] sourcePorts,
            int natTPort,
            Duration keepaliveInterval,
            List<TunnelEntry> manual,
            IkeSender ikeSender,
            RandomGenerator random) {
        this.lanes = List.copyOf(lanes);
        this.controlLoop = controlLoop;
        this.channels = channels;
        this.sourcePorts = sourcePorts.clone();
        this.natTPort = natTPort;
        if (keepaliveInterval.isNegative()) {
            throw new IllegalArgumentException("negative keepalive interval " + keepaliveInterval);
        }
        this.keepaliveInterval = keepaliveInterval;
        this.manual = List.copyOf(manual);
        this.ikeSender = ikeSender;
        this.spis = new SpiAllocator(lanes.size(), random);
        this.submitted = new Lane.Tables[lanes.size()];
        Set<Integer> manualInbound = new HashSet<>();
        manual.forEach(t -> t.inbound().forEach(in -> manualInbound.add(in.sa().spi())));
        this.manualSpis = Set.copyOf(manualInbound);
        spisInUse.addAll(manualSpis);
    }

    /** Sends reports to {@code listener} from now on. Control loop. */
    public void listener(DataPlaneListener listener) {
        assertOnLoop();
        this.listener = listener;
    }

    /**
     * Builds every lane's tables anew from the current state and installs them; completes on the control
     * loop once every lane has them.
     */
    public CompletionStage<Void> publish() {
        assertOnLoop();
        rebuildAll = true;
        return scheduleBuild();
    }

    /**
     * Queues one build on the control loop for every change made before it runs (changes in the same
     * control-loop turn share it); the stage completes once every lane runs tables with the changes.
     */
    private CompletionStage<Void> scheduleBuild() {
        if (scheduled == null) {
            try {
                controlLoop.execute(this::build);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.failedFuture(e);
            }
            scheduled = new CompletableFuture<>();
        }
        return scheduled.copy();
    }

    /**
     * Builds the tables of the lanes that the changes since the last build touch and submits them; the
     * result completes once those lanes and every earlier build's lanes run them.
     */
    private void build() {
        CompletableFuture<Void> result = scheduled;
        scheduled = null;
        Lane.Tables[] next;
        try {
            next = rebuildAll ? buildAll() : buildChanged();
        } catch (RuntimeException e) {
            rebuildAll = true; // the tunnels' caches may be ahead of the lanes: start afresh next time
            result.completeExceptionally(e);
            return;
        }
        rebuildAll = false;
        changedTunnels.clear();
        removedTunnels.clear();
        List<InstalledPair> snapshot = List.copyOf(pairs.values());
        long generation = ++builtGeneration;
        List<CompletableFuture<?>> done = new ArrayList<>();
        done.add(previousBuild); // shown only once the earlier builds' lanes are done too
        for (Lane lane : lanes) {
            Lane.Tables tables = next[lane.index()];
            if (tables != submitted[lane.index()]) {
                submitted[lane.index()] = tables;
                done.add(submitTables(lane, tables));
            }
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(done.toArray(CompletableFuture<?>[]::new));
        previousBuild = all.exceptionally(failure -> null);
        all.whenComplete((ok, failure) -> completeOnLoop(result, failure, () -> showInstalled(snapshot, generation)));
    }

    /** Every lane's tables from every tunnel (manual ones first). */
    private Lane.Tables[] buildAll() {
        List<TunnelEntry> entries = new ArrayList<>(manual);
        for (IkeTunnel tunnel : tunnels.values()) {
            tunnel.refresh(lanes.size(), channels);
            entries.add(tunnel.entry());
        }
        return TablesBuilder.build(lanes.size(), entries).toArray(Lane.Tables[]::new);
    }

    /**
     * The lanes' tables with the changes since the last build: each lane's SAD is copied only when an
     * inbound SA on it comes, goes or belongs to a tunnel whose view on it changed, and its SPD rebuilt
     * only when a view on it or a tunnel's selectors changed. Lanes nothing touched keep their tables.
     */
    private Lane.Tables[] buildChanged() {
        int laneCount = lanes.size();
        @SuppressWarnings({"unchecked", "rawtypes"})
        IntObjectHashMap<Lane.Inbound>[] sads = new IntObjectHashMap[laneCount];
        boolean[] spdChanged = new boolean[laneCount];
        for (IkeTunnel gone : removedTunnels) {
            Arrays.fill(spdChanged, true);
            for (InstalledPair pair : gone.published()) {
                sadToChange(sads, pair).remove(pair.spec.inboundSpi());
            }
        }
        List<IkeTunnel> refreshed = new ArrayList<>();
        List<IkeTunnel.Update> updates = new ArrayList<>();
        for (String name : changedTunnels) {
            IkeTunnel tunnel = tunnels.get(name);
            if (tunnel != null) {
                IkeTunnel.Update update = tunnel.refresh(laneCount, channels);
                refreshed.add(tunnel);
                updates.add(update);
                if (update.selectorsChanged()) {
                    Arrays.fill(spdChanged, true);
                }
                update.viewsChanged().stream().forEach(k -> spdChanged[k] = true);
                for (InstalledPair pair : update.removed()) { // every removal before any addition: SPIs are reused
                    sadToChange(sads, pair).remove(pair.spec.inboundSpi());
                }
            }
        }
        for (int i = 0; i < refreshed.size(); i++) {
            IkeTunnel tunnel = refreshed.get(i);
            IkeTunnel.Update update = updates.get(i);
            for (InstalledPair pair : tunnel.published()) {
                int lane = SpiAllocator.laneOf(pair.spec.inboundSpi(), laneCount);
                if (update.viewsChanged().get(lane) || update.added().contains(pair)) {
                    sadToChange(sads, pair)
                            .put(
                                    pair.spec.inboundSpi(),
                                    new Lane.Inbound(pair.inbound, tunnel.view(lane), pair.activity));
                }
            }
        }
        Lane.Tables[] next = submitted.clone();
        for (int k = 0; k < laneCount; k++) {
            if (spdChanged[k] || sads[k] != null) {
                Lane.Tables old = submitted[k];
                next[k] = spdChanged[k]
                        ? withSpd(k, sads[k] != null ? sads[k] : old.sad())
                        : new Lane.Tables(old.spd(), sads[k], old.spdTargets());
            }
        }
        return next;
    }

    /** The SAD of the lane that holds {@code pair}'s inbound SA, copied from its tables on first use. */
    private IntObjectHashMap<Lane.Inbound> sadToChange(IntObjectHashMap<Lane.Inbound>[] sads, InstalledPair pair) {
        int lane = SpiAllocator.laneOf(pair.spec.inboundSpi(), lanes.size());
        if (sads[lane] == null) {
            IntObjectHashMap<Lane.Inbound> current = submitted[lane].sad();
            IntObjectHashMap<Lane.Inbound> copy = new IntObjectHashMap<>(Math.max(8, current.size() * 2));
            copy.putAll(current);
            sads[lane] = copy;
        }
        return sads[lane];
    }

    /** Lane {@code lane}'s tables with {@code sad} and an SPD of every tunnel's view (manual ones first). */
    private Lane.Tables withSpd(int lane, IntObjectHashMap<Lane.Inbound> sad) {
        Spd.Builder<TunnelLane> spd = Spd.builder();
        List<TunnelLane> targets = new ArrayList<>(manual.size() + tunnels.size());
        for (TunnelEntry tunnel : manual) {
            TunnelLane view = tunnel.lanes().get(lane);
            targets.add(view);
            tunnel.selectors().forEach(selector -> spd.add(selector, view));
        }
        for (IkeTunnel tunnel : tunnels.values()) {
            TunnelLane view = tunnel.view(lane);
            if (view != null) {
                targets.add(view);
                tunnel.selectors().forEach(selector -> spd.add(selector, view));
            }
        }
        return new Lane.Tables(spd.build(), sad, targets);
    }

    /**
     * Every lane runs the tables of build {@code generation}: {@link #childSas()} shows its pairs from now
     * on (unless a later build is already shown). Control loop.
     */
    private void showInstalled(List<InstalledPair> snapshot, long generation) {
        if (generation > shownGeneration) {
            shownGeneration = generation;
            installed = snapshot;
        }
    }

    private static CompletableFuture<Void> submitTables(Lane lane, Lane.Tables tables) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lane.eventLoop().submit(() -> lane.install(tables)).addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(f.cause());
            }
        });
        return done;
    }

    private void completeOnLoop(CompletableFuture<Void> result, Throwable failure, Runnable onSuccess) {
        try {
            controlLoop.execute(() -> {
                if (failure == null) {
                    onSuccess.run();
                    result.complete(null);
                } else {
                    result.completeExceptionally(failure);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
    }

    @Override
    public int laneCount() {
        return lanes.size();
    }

    @Override
    public int allocateSpi(int lane) {
        assertOnLoop();
        int spi = spis.allocate(lane, spisInUse::contains);
        spisInUse.add(spi);
        return spi;
    }

    @Override
    public void releaseSpi(int spi) {
        assertOnLoop();
        if (!pairsBySpi.containsKey(spi) && !manualSpis.contains(spi)) {
            spisInUse.remove(spi);
        }
    }

    @Override
    public void installPolicy(String tunnel, List<TsRange> localTs, List<TsRange> remoteTs) {
        assertOnLoop();
        tunnel(tunnel).policy(localTs, remoteTs);
        changedTunnels.add(tunnel);
        scheduleBuild();
    }

    @Override
    public CompletionStage<Void> removePolicy(String tunnel) {
        assertOnLoop();
        IkeTunnel removed = tunnels.remove(tunnel);
        if (removed == null) {
            return CompletableFuture.completedFuture(null);
        }
        for (InstalledPair pair : removed.pairs()) {
            forget(pair);
        }
        removedTunnels.add(removed);
        return scheduleBuild();
    }

    @Override
    public CompletionStage<Void> install(ChildSaSpec sa) {
        assertOnLoop();
        try {
            check(sa);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        InstalledPair pair = new InstalledPair(sa, lanes.size(), this::reportExpired, System.nanoTime());
        spisInUse.add(sa.inboundSpi());
        pairs.put(sa.id(), pair);
        pairsBySpi.put(sa.inboundSpi(), pair);
        tunnel(sa.tunnel()).add(pair);
        changedTunnels.add(sa.tunnel());
        return scheduleBuild();
    }

    private void check(ChildSaSpec sa) {
        if (pairs.containsKey(sa.id())) {
            throw new IllegalArgumentException("Child SA pair " + sa.id() + " is already installed");
        }
        if (sa.lane() >= lanes.size()) {
            throw new IllegalArgumentException(sa + ": lane " + sa.lane() + ", but there are " + lanes.size());
        }
        int steered = SpiAllocator.laneOf(sa.inboundSpi(), lanes.size());
        if (!sa.isFallback() && steered != sa.lane()) {
            throw new IllegalArgumentException(sa + ": the kernel steers inbound SPI 0x"
                    + Integer.toHexString(sa.inboundSpi()) + " to lane " + steered + ", not " + sa.lane());
        }
        if (manualSpis.contains(sa.inboundSpi()) || pairsBySpi.containsKey(sa.inboundSpi())) {
            throw new IllegalArgumentException(sa + ": inbound SPI is already in use");
        }
    }

    @Override
    public CompletionStage<Void> remove(long id) {
        assertOnLoop();
        InstalledPair pair = pairs.get(id);
        if (pair == null) {
            return CompletableFuture.completedFuture(null);
        }
        forget(pair);
        IkeTunnel tunnel = tunnels.get(pair.spec.tunnel());
        tunnel.remove(id);
        if (tunnel.isEmpty()) {
            tunnels.remove(tunnel.name);
            removedTunnels.add(tunnel);
        } else {
            changedTunnels.add(tunnel.name);
        }
        return scheduleBuild();
    }

    private void forget(InstalledPair pair) {
        pairs.remove(pair.spec.id());
        pairsBySpi.remove(pair.spec.inboundSpi());
        spisInUse.remove(pair.spec.inboundSpi());
    }

    @Override
    public void ikeSaPath(IkeSaPath path) {
        assertOnLoop();
        Keepalive current = keepalives.get(path.id());
        if (!path.natHere() || keepaliveInterval.isZero()) {
            if (current != null) {
                keepalives.remove(path.id()).timer.cancel(false);
            }
            return;
        }
        if (current != null) {
            current.path = path; // the next keepalive follows the peer
            return;
        }
        Keepalive keepalive = new Keepalive(path);
        long nanos = keepaliveInterval.toNanos();
        keepalive.timer = controlLoop.scheduleAtFixedRate(() -> send(keepalive), nanos, nanos, TimeUnit.NANOSECONDS);
        keepalives.put(path.id(), keepalive);
    }

    @Override
    public void ikeSaGone(long id) {
        assertOnLoop();
        Keepalive gone = keepalives.remove(id);
        if (gone != null) {
            gone.timer.cancel(false);
        }
    }

    /** One keepalive to the peer of {@code keepalive} from every port it must keep open. Control loop. */
    private void send(Keepalive keepalive) {
        InetSocketAddress peer = keepalive.path.remote();
        for (Channel source : keepaliveSources(keepalive.path.tunnel())) {
            ByteBuf octet = source.alloc().buffer(UdpEncapsulation.KEEPALIVE_LENGTH);
            octet.writeByte(UdpEncapsulation.KEEPALIVE_OCTET);
            source.writeAndFlush(new DatagramPacket(octet, peer));
            keepalivesSent++;
        }
    }

    /**
     * Where a tunnel's traffic leaves from, each socket once: lane 0's port-4500 socket (IKE and the
     * fallback SA), and the source-port socket of each lane that sends a multiport per-CPU pair of it.
     */
    List<Channel> keepaliveSources(String tunnel) {
        List<Channel> sources = new ArrayList<>();
        sources.add(channels.forLane(0, false));
        IkeTunnel t = tunnels.get(tunnel);
        if (t != null) {
            for (InstalledPair pair : t.pairs()) {
                ChildSaSpec spec = pair.spec;
                if (spec.multiport() && !spec.isFallback() && spec.lane() < sourcePorts.length) {
                    Channel channel = channels.forLane(spec.lane(), true);
                    if (!sources.contains(channel)) {
                        sources.add(channel);
                    }
                }
            }
        }
        return sources;
    }

    /** NAT keepalives handed to the sockets so far (any thread; a plain read). */
    public long keepalivesSent() {
        return keepalivesSent;
    }

    @Override
    public ChildSaUsage usage(long id) {
        InstalledPair pair = pairs.get(id);
        return pair == null ? ChildSaUsage.NONE : pair.usage();
    }

    @Override
    public void sendIke(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
        assertOnLoop();
        ikeSender.send(message, local, remote);
    }

    /**
     * The installed pairs with their SPIs, lanes, source ports and counters: a pair shows once every
     * lane runs tables that have it (so traffic sent after seeing it finds its SAs in place) and until
     * every lane runs tables without it. Any thread: reads the last shown snapshot and the lanes'
     * counters without locks.
     */
    public List<ChildSaStatus> childSas() {
        List<ChildSaStatus> status = new ArrayList<>();
        for (InstalledPair pair : installed) {
            ChildSaSpec spec = pair.spec;
            boolean ownPort = spec.multiport() && !spec.isFallback() && sourcePorts.length > spec.lane();
            status.add(new ChildSaStatus(
                    spec.id(),
                    spec.tunnel(),
                    spec.lane(),
                    spec.inboundSpi(),
                    SpiAllocator.laneOf(spec.inboundSpi(), lanes.size()),
                    spec.outboundSpi(),
                    spec.peer(),
                    ownPort ? sourcePorts[spec.lane()] : natTPort,
                    pair.usage()));
        }
        return status;
    }

    /** An IKE message from a lane's socket (lane thread): copied off the lane's receive buffer, handed on. */
    @Override
    public void ikeReceived(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
        ByteBuf copy = Unpooled.copiedBuffer(message);
        message.release();
        try {
            controlLoop.execute(() -> deliverIke(copy, local, remote));
        } catch (RejectedExecutionException e) {
            copy.release();
        }
    }

    /** Hands an IKE message to the listener. Control loop; takes ownership of {@code message}. */
    public void deliverIke(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
        assertOnLoop();
        listener.ikeReceived(message, local, remote);
    }

    private IkeTunnel tunnel(String name) {
        return tunnels.computeIfAbsent(
                name, n -> new IkeTunnel(n, lanes.size(), controlLoop, lane -> () -> reportAcquire(n, lane)));
    }

    private void reportAcquire(String tunnel, int lane) {
        if (tunnels.containsKey(tunnel)) {
            listener.acquire(tunnel, lane);
        }
    }

    /** Lane thread (an SA's lifetime listener): hands the report to the control loop. */
    private void reportExpired(long id, boolean hard) {
        try {
            controlLoop.execute(() -> {
                if (pairs.containsKey(id)) { // a pair removed meanwhile is of no interest any more
                    listener.expired(id, hard);
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private void assertOnLoop() {
        if (!controlLoop.inEventLoop()) {
            throw new IllegalStateException("the data plane is called from "
                    + Thread.currentThread().getName() + ", not from its control loop");
        }
    }

    /** The keepalive timer of one IKE SA behind a NAT and the path it sends on (updated in place). */
    private static final class Keepalive {
        IkeSaPath path;
        ScheduledFuture<?> timer;

        Keepalive(IkeSaPath path) {
            this.path = path;
        }
    }

    /** Listeners of the data plane's reports. */
    private static final class Listeners {
        /** Before the control plane exists: drops IKE messages, ignores the rest. */
        static final DataPlaneListener DISCARD = new DataPlaneListener() {
            @Override
            public void expired(long id, boolean hard) {}

            @Override
            public void acquire(String tunnel, int lane) {}

            @Override
            public void ikeReceived(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
                message.release();
            }
        };

        private Listeners() {}
    }
}
