package net.ipsecgw.core.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * policies become new immutable {@link Lane.Tables}, built here for every lane (manually keyed tunnels
 * first, then the IKE tunnels in the order their policies or first pairs arrived) and published by
 * submitting {@link Lane#install} to each lane's loop; lanes report acquires, lifetime expiries and IKE
 * messages back by handing tasks to the control loop.
 *
 * <pre>
 *  control loop: install/remove/policy --> IkeTunnel state --> TablesBuilder --> Tables per lane
 *                                      --submit--> lane k: install(tables k)   (stage completes when all have)
 *  lane k:  acquire (no own SA) / SA lifetime event / IKE on port 4500 --execute--> control loop --> listener
 * </pre>
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
    private final Map<Long, InstalledPair> pairs = new HashMap<>();
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
     * @param sourcePorts the lanes' source ports (status only; empty without multiport sockets)
     * @param natTPort the NAT-T port (status only)
     * @param keepaliveInterval how often IKE peers behind whose NAT we are get a NAT keepalive (zero: never)
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

    /** Builds every lane's tables from the current state and installs them; completes on the control loop. */
    public CompletionStage<Void> publish() {
        assertOnLoop();
        List<TunnelEntry> entries = new ArrayList<>(manual);
        for (IkeTunnel tunnel : tunnels.values()) {
            entries.add(tunnel.entry(lanes.size(), channels));
        }
        List<Lane.Tables> tables;
        try {
            tables = TablesBuilder.build(lanes.size(), entries);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<InstalledPair> snapshot = List.copyOf(pairs.values());
        long generation = ++builtGeneration;
        CompletableFuture<?>[] done = new CompletableFuture<?>[lanes.size()];
        for (Lane lane : lanes) {
            done[lane.index()] = submitTables(lane, tables.get(lane.index()));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        CompletableFuture.allOf(done)
                .whenComplete(
                        (ok, failure) -> completeOnLoop(result, failure, () -> showInstalled(snapshot, generation)));
        return result;
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
        boolean installedPair = pairs.values().stream().anyMatch(p -> p.spec.inboundSpi() == spi);
        if (!installedPair && !manualSpis.contains(spi)) {
            spisInUse.remove(spi);
        }
    }

    @Override
    public void installPolicy(String tunnel, List<TsRange> localTs, List<TsRange> remoteTs) {
        assertOnLoop();
        tunnel(tunnel).policy(localTs, remoteTs);
        publish();
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
        return publish();
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
        tunnel(sa.tunnel()).add(pair);
        return publish();
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
        boolean taken = manualSpis.contains(sa.inboundSpi())
                || pairs.values().stream().anyMatch(p -> p.spec.inboundSpi() == sa.inboundSpi());
        if (taken) {
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
        }
        return publish();
    }

    private void forget(InstalledPair pair) {
        pairs.remove(pair.spec.id());
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
