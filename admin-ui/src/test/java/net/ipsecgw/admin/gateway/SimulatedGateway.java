package net.ipsecgw.admin.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.ipsecgw.ike.config.ConnectionConfig;

/**
 * A {@link GatewayControl} for controller and metrics unit tests only (never for the full-application or
 * browser tests, which run the real demo): two gateways ({@code a}, {@code b}) with two lanes
 * each whose counters grow with the wall clock (lane 1 twice as fast as lane 0, so the chart has
 * distinct lines), and one IKE connection per configured name that initiate, terminate and rekey move
 * through its states, with one Child SA per lane while established. Not a gateway: it stands in for
 * the data path the console will show once IKE and the demo's generator run.
 */
public final class SimulatedGateway implements GatewayControl {
    private final long start = System.nanoTime();
    private final Map<String, TunnelState> states = new ConcurrentHashMap<>();
    private final Map<String, Instant> rekeyed = new ConcurrentHashMap<>();
    private final List<IkeEvent> events = new CopyOnWriteArrayList<>();
    private volatile List<ConnectionConfig> connections;

    /** Connections {@code connections}, all established. */
    public SimulatedGateway(List<ConnectionConfig> connections) {
        this.connections = List.copyOf(connections);
        connections.forEach(c -> states.put(c.name(), TunnelState.ESTABLISHED));
    }

    @Override
    public DataPathStatus status() {
        return new DataPathStatus(true, "SIMULATED", true, "simulated gateways a and b, 2 lanes each");
    }

    @Override
    public List<LaneSnapshot> lanes() {
        double seconds = (System.nanoTime() - start) / 1e9;
        List<LaneSnapshot> lanes = new ArrayList<>();
        for (String gateway : List.of("a", "b")) {
            for (int lane = 0; lane < 2; lane++) {
                double scale = gateway.equals("a") ? 1.0 : 0.7;
                // the integral of a rate 1000 * scale * (lane + 1) * (1.2 + sin(t / 5 + lane)), so counters only grow
                long packets = (long) (1000
                        * scale
                        * (lane + 1)
                        * (1.2 * seconds - 5 * Math.cos(seconds / 5 + lane) + 5 * Math.cos(lane)));
                lanes.add(new LaneSnapshot(
                        gateway,
                        lane,
                        packets,
                        packets * 1400,
                        packets,
                        packets * 1400,
                        (long) seconds / 5,
                        4,
                        lane == 1 ? Map.of("replayed", 2L) : Map.of()));
            }
        }
        return lanes;
    }

    @Override
    public List<TunnelView> tunnels() {
        List<TunnelView> views = new ArrayList<>();
        for (ConnectionConfig c : connections) {
            TunnelState state = states.getOrDefault(c.name(), TunnelState.DOWN);
            List<ChildSaView> sas = state == TunnelState.ESTABLISHED ? childSas(c.name()) : List.of();
            views.add(new TunnelView(
                    "a",
                    c.name(),
                    TunnelView.Keying.IKE,
                    c.remoteAddress() + ":" + c.remotePort(),
                    state,
                    state == TunnelState.ESTABLISHED ? "5d9e2f7a01c3b486_a1b2c3d4e5f60718" : "",
                    state == TunnelState.ESTABLISHED ? Instant.now().minusSeconds(42) : null,
                    rekeyed.get(c.name()),
                    sas));
        }
        return views;
    }

    private List<ChildSaView> childSas(String name) {
        long packets = lanes().get(0).espInPackets();
        int base = Math.abs(name.hashCode() % 0x1000) << 8;
        return List.of(
                new ChildSaView(
                        ChildSaView.FALLBACK,
                        0xc1000000 + base,
                        0xd1000000 + base,
                        14500,
                        3,
                        300,
                        5,
                        500,
                        Instant.now()),
                new ChildSaView(
                        0,
                        0xc1000002 + base,
                        0xd1000010 + base,
                        40112,
                        packets,
                        packets * 1400,
                        packets,
                        packets * 1400,
                        Instant.now()),
                new ChildSaView(
                        1,
                        0xc1000003 + base,
                        0xd1000011 + base,
                        40587,
                        2 * packets,
                        packets * 2800,
                        2 * packets,
                        packets * 2800,
                        Instant.now()));
    }

    @Override
    public CompletionStage<Void> initiate(String connection) {
        return move(connection, TunnelState.ESTABLISHED, "initiate");
    }

    @Override
    public CompletionStage<Void> terminate(String connection) {
        return move(connection, TunnelState.DOWN, "terminate");
    }

    @Override
    public CompletionStage<Void> rekey(String connection) {
        rekeyed.put(connection, Instant.now());
        return move(connection, TunnelState.ESTABLISHED, "rekey");
    }

    private CompletionStage<Void> move(String connection, TunnelState state, String action) {
        if (connections.stream().noneMatch(c -> c.name().equals(connection))) {
            return CompletableFuture.failedFuture(
                    new NoSuchElementException("no connection named '" + connection + "'"));
        }
        states.put(connection, state);
        events.addFirst(new IkeEvent(
                Instant.now(), "a", connection, IkeEvent.Kind.SYSTEM, "", true, Duration.ZERO, action + " done"));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> reloadConnections(List<ConnectionConfig> next) {
        connections = List.copyOf(next);
        next.forEach(c -> states.putIfAbsent(c.name(), TunnelState.DOWN));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public List<IkeEvent> recentEvents(int limit) {
        return events.stream().limit(limit).toList();
    }
}
