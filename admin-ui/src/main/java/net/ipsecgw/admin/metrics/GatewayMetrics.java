package net.ipsecgw.admin.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import net.ipsecgw.admin.gateway.ChildSaView;
import net.ipsecgw.admin.gateway.GatewayControl;
import net.ipsecgw.admin.gateway.LaneSnapshot;
import net.ipsecgw.admin.gateway.TunnelState;
import net.ipsecgw.admin.gateway.TunnelView;
import org.springframework.beans.factory.DisposableBean;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The data path's counters as Prometheus metrics. The lanes count in plain fields of their own
 * ({@code LaneCounters}); this class only reads them, through {@link GatewayControl}, when the registry
 * is scraped ({@link FunctionCounter}s), and never adds work to the packet path. Lanes, drop reasons and
 * SAs that appear later (a data path that starts, a rekey) get their meters at the next refresh;
 * meters of SAs that are gone are removed.
 *
 * <pre>
 *   ipsec_esp_packets_total{gateway,lane,direction}   ESP packets decrypted (in) / encrypted (out)
 *   ipsec_esp_bytes_total{gateway,lane,direction}     their inner bytes
 *   ipsec_drops_total{gateway,lane,reason}            packets dropped, by reason
 *   ipsec_natt_keepalives_total{gateway,lane}         NAT keepalives received
 *   ipsec_ike_messages_total{gateway,lane}            IKE messages received on the NAT-T port
 *   ipsec_sa_packets_total{gateway,tunnel,lane,spi,direction}, ipsec_sa_bytes_total{...}
 *   ipsec_ike_sas{state}, ipsec_child_sas              SA counts
 * </pre>
 */
public final class GatewayMetrics implements DisposableBean {
    private final GatewayControl gateway;
    private final MeterRegistry registry;
    private final Set<String> laneMeters = ConcurrentHashMap.newKeySet();
    private final Map<SaKey, ChildSaView> sas = new ConcurrentHashMap<>();
    private final Map<SaKey, List<Meter>> saMeters = new HashMap<>();
    private final Disposable refresher;
    private volatile Map<String, LaneSnapshot> lanes = Map.of();
    private volatile long lanesReadAt;
    private volatile List<TunnelView> tunnels = List.of();

    private record SaKey(String gateway, String tunnel, int lane, int spi, String direction) {}

    /** Registers into {@code registry} and refreshes every {@code refresh}. */
    public GatewayMetrics(GatewayControl gateway, MeterRegistry registry, Duration refresh) {
        this.gateway = gateway;
        this.registry = registry;
        for (TunnelState state : TunnelState.values()) {
            Gauge.builder("ipsec.ike.sas", () -> countTunnels(state))
                    .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
                    .description("IKE SAs (and manual tunnels, state installed) by state")
                    .register(registry);
        }
        Gauge.builder("ipsec.child.sas", this::countChildSas)
                .description("Child SA pairs installed")
                .register(registry);
        this.refresher = Flux.interval(Duration.ZERO, refresh).subscribe(tick -> refresh());
    }

    /** Registers meters for new lanes, drop reasons and SAs; removes those of SAs that are gone. */
    synchronized void refresh() {
        readLanes();
        lanes.values().forEach(this::registerLane);
        tunnels = gateway.tunnels();
        Map<SaKey, ChildSaView> current = new HashMap<>();
        for (TunnelView tunnel : tunnels) {
            for (ChildSaView sa : tunnel.childSas()) {
                current.put(new SaKey(tunnel.gateway(), tunnel.name(), sa.lane(), sa.inboundSpi(), "in"), sa);
                current.put(new SaKey(tunnel.gateway(), tunnel.name(), sa.lane(), sa.outboundSpi(), "out"), sa);
            }
        }
        sas.putAll(current);
        current.keySet().stream().filter(key -> !saMeters.containsKey(key)).forEach(this::registerSa);
        new HashSet<>(saMeters.keySet())
                .stream().filter(key -> !current.containsKey(key)).forEach(this::removeSa);
    }

    private void registerLane(LaneSnapshot lane) {
        String id = lane.gateway() + "/" + lane.lane();
        Tags tags = Tags.of("gateway", lane.gateway(), "lane", Integer.toString(lane.lane()));
        if (laneMeters.add(id)) {
            laneCounter("ipsec.esp.packets", tags.and("direction", "in"), id, LaneSnapshot::espInPackets);
            laneCounter("ipsec.esp.packets", tags.and("direction", "out"), id, LaneSnapshot::espOutPackets);
            laneCounter("ipsec.esp.bytes", tags.and("direction", "in"), id, LaneSnapshot::espInBytes);
            laneCounter("ipsec.esp.bytes", tags.and("direction", "out"), id, LaneSnapshot::espOutBytes);
            laneCounter("ipsec.natt.keepalives", tags, id, LaneSnapshot::keepalives);
            laneCounter("ipsec.ike.messages", tags, id, LaneSnapshot::ikeMessages);
        }
        for (String reason : lane.drops().keySet()) {
            if (laneMeters.add(id + "/" + reason)) {
                laneCounter("ipsec.drops", tags.and("reason", reason), id, l -> l.drops()
                        .getOrDefault(reason, 0L));
            }
        }
    }

    private void laneCounter(String name, Tags tags, String id, ToLongFunction<LaneSnapshot> value) {
        FunctionCounter.builder(name, id, key -> {
                    LaneSnapshot lane = lane(key);
                    return lane == null ? 0 : value.applyAsLong(lane);
                })
                .tags(tags)
                .register(registry);
    }

    private void registerSa(SaKey key) {
        Tags tags = Tags.of(
                "gateway", key.gateway(),
                "tunnel", key.tunnel(),
                "lane", key.lane() == ChildSaView.FALLBACK ? "fallback" : Integer.toString(key.lane()),
                "spi", String.format("0x%08x", key.spi()),
                "direction", key.direction());
        boolean in = key.direction().equals("in");
        saMeters.put(
                key,
                List.of(
                        FunctionCounter.builder(
                                        "ipsec.sa.packets",
                                        key,
                                        k -> saValue(k, in ? ChildSaView::inPackets : ChildSaView::outPackets))
                                .tags(tags)
                                .register(registry),
                        FunctionCounter.builder(
                                        "ipsec.sa.bytes",
                                        key,
                                        k -> saValue(k, in ? ChildSaView::inBytes : ChildSaView::outBytes))
                                .tags(tags)
                                .register(registry)));
    }

    private void removeSa(SaKey key) {
        saMeters.remove(key).forEach(registry::remove);
        sas.remove(key);
    }

    private double saValue(SaKey key, ToLongFunction<ChildSaView> value) {
        ChildSaView sa = sas.get(key);
        return sa == null ? 0 : value.applyAsLong(sa);
    }

    /** One read of all lanes serves every lane meter of one scrape. */
    private LaneSnapshot lane(String id) {
        if (System.nanoTime() - lanesReadAt > 200_000_000L) {
            readLanes();
        }
        return lanes.get(id);
    }

    private void readLanes() {
        Map<String, LaneSnapshot> read = new HashMap<>();
        gateway.lanes().forEach(lane -> read.put(lane.gateway() + "/" + lane.lane(), lane));
        lanes = read;
        lanesReadAt = System.nanoTime();
    }

    private double countTunnels(TunnelState state) {
        return tunnels.stream().filter(t -> t.state() == state).count();
    }

    private double countChildSas() {
        return tunnels.stream().mapToInt(t -> t.childSas().size()).sum();
    }

    @Override
    public void destroy() {
        refresher.dispose();
    }
}
