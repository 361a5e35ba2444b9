package net.ipsecgw.ike.sa;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.ChildSaUsage;
import net.ipsecgw.ike.dataplane.DataPlane;
import net.ipsecgw.ike.dataplane.IkeSaPath;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * The data path of one in-process peer: it keeps what the control plane installs, in order, allocates
 * SPIs the way the lanes steer them ({@code SPI mod N}), and hands IKE datagrams to a wire.
 */
final class RecordingDataPlane implements DataPlane {
    /** One IKE datagram on its way. */
    record Datagram(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {}

    private final int lanes;
    private final Random random;
    private final Consumer<Datagram> wire;
    private final Set<Integer> spis = new HashSet<>();
    final Map<Long, ChildSaSpec> installed = new LinkedHashMap<>();
    final List<String> log = new ArrayList<>();
    final Map<String, List<TsRange>> policies = new LinkedHashMap<>();
    final Map<Long, ChildSaUsage> usage = new LinkedHashMap<>();
    /** The IKE SAs' paths as last announced, by IKE SA id; removed when the IKE SA is gone. */
    final Map<Long, IkeSaPath> paths = new LinkedHashMap<>();
    /** When true, installs complete only when the test completes them ({@link #deferred}). */
    boolean deferInstalls;
    /** The installs not completed yet, in order. */
    final List<CompletableFuture<Void>> deferred = new ArrayList<>();
    /** Every path announced, in order. */
    final List<IkeSaPath> pathLog = new ArrayList<>();

    RecordingDataPlane(int lanes, long seed, Consumer<Datagram> wire) {
        this.lanes = lanes;
        this.random = new Random(seed);
        this.wire = wire;
    }

    @Override
    public int laneCount() {
        return lanes;
    }

    @Override
    public int allocateSpi(int lane) {
        int spi;
        do {
            spi = random.nextInt() & 0x7fffffff;
            spi = spi - Integer.remainderUnsigned(spi, lanes) + lane;
        } while (spi < 256 || !spis.add(spi));
        return spi;
    }

    @Override
    public void releaseSpi(int spi) {
        spis.remove(spi);
    }

    @Override
    public void installPolicy(String tunnel, List<TsRange> localTs, List<TsRange> remoteTs) {
        policies.put(tunnel, remoteTs);
    }

    @Override
    public CompletionStage<Void> removePolicy(String tunnel) {
        policies.remove(tunnel);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> install(ChildSaSpec sa) {
        installed.put(sa.id(), sa);
        log.add("install " + sa.id());
        if (deferInstalls) {
            CompletableFuture<Void> later = new CompletableFuture<>();
            deferred.add(later);
            return later;
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> remove(long id) {
        ChildSaSpec sa = installed.remove(id);
        if (sa != null) {
            spis.remove(sa.inboundSpi());
            log.add("remove " + id);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void ikeSaPath(IkeSaPath path) {
        paths.put(path.id(), path);
        pathLog.add(path);
    }

    @Override
    public void ikeSaGone(long id) {
        paths.remove(id);
    }

    @Override
    public ChildSaUsage usage(long id) {
        return usage.getOrDefault(id, ChildSaUsage.NONE);
    }

    @Override
    public void sendIke(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
        try {
            wire.accept(new Datagram(ByteBufUtil.getBytes(message), local, remote));
        } finally {
            message.release();
        }
    }

    /** The per-CPU pairs installed, by lane. */
    long perCpuCount() {
        return installed.values().stream().filter(s -> !s.isFallback()).count();
    }

    long fallbackCount() {
        return installed.values().stream().filter(ChildSaSpec::isFallback).count();
    }
}
