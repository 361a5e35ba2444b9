package net.ipsecgw.admin.gateway;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.ike.config.ConnectionConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the profile's data path when the application starts and stops it (IKE SAs deleted first,
 * then lanes, sockets and TUN) when it stops; in between, answers the console as {@link
 * GatewayControl}. A data path that cannot run in this build yet leaves the console running without
 * it, saying why; one that fails to start fails the application.
 */
public final class GatewayService implements GatewayControl, SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(GatewayService.class);

    private final GatewayConfig config;
    private final String mode;
    private final DataPathLauncher launcher;
    private final IkeEventLog events;
    private volatile RunningGateways running;
    private volatile String detail = "not started";
    private volatile List<ConnectionConfig> connections;
    private AutoCloseable ikeSubscription = () -> {};

    /** A service that starts {@code launcher} with {@code config}; {@code mode} names it for the console. */
    public GatewayService(GatewayConfig config, String mode, DataPathLauncher launcher, IkeEventLog events) {
        this.config = config;
        this.mode = mode;
        this.launcher = launcher;
        this.events = events;
        this.connections = config.connections();
    }

    @Override
    public void start() {
        try {
            RunningGateways started = launcher.start(config);
            ikeSubscription = started.ike().subscribe(events::record);
            detail = started.describe();
            running = started;
            log.info("data path up: {}", detail);
            events.record(IkeEvent.system("", "", true, "data path up: " + detail));
        } catch (DataPathUnavailableException e) {
            detail = e.getMessage();
            log.warn("no data path: {}", detail);
            events.record(IkeEvent.system("", "", false, "no data path: " + detail));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the data path", e);
        }
    }

    @Override
    public void stop() {
        RunningGateways stopping = running;
        running = null;
        if (stopping == null) {
            return;
        }
        closeQuietly(ikeSubscription);
        stopping.close();
        detail = "stopped";
        log.info("data path stopped");
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }

    /** Starts after the other beans (metrics, log) and stops before the web server goes away. */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 2048;
    }

    @Override
    public DataPathStatus status() {
        RunningGateways now = running;
        return new DataPathStatus(now != null, mode, now != null && now.ike().available(), detail);
    }

    @Override
    public List<LaneSnapshot> lanes() {
        RunningGateways now = running;
        if (now == null) {
            return List.of();
        }
        return now.gateways().stream()
                .flatMap(member -> member.lanes().stream().map(lane -> LaneSnapshots.of(member.name(), lane)))
                .toList();
    }

    @Override
    public List<TunnelView> tunnels() {
        RunningGateways now = running;
        List<TunnelView> views = new ArrayList<>();
        if (now != null) {
            for (RunningGateways.Member member : now.gateways()) {
                views.addAll(ManualTunnels.views(member, config.tunnels()));
            }
        }
        views.addAll(connectionViews(now));
        return views;
    }

    private List<TunnelView> connectionViews(RunningGateways now) {
        List<IkeSaView> sas = now == null ? List.of() : now.ike().ikeSas();
        boolean ike = now != null && now.ike().available();
        List<TunnelView> views = new ArrayList<>();
        for (ConnectionConfig connection : connections) {
            List<IkeSaView> matching = sas.stream()
                    .filter(sa -> sa.connection().equals(connection.name()))
                    .toList();
            if (matching.isEmpty()) {
                views.add(idle(connection, ike ? TunnelState.DOWN : TunnelState.UNKNOWN));
            }
            matching.forEach(sa -> views.add(view(connection, sa)));
        }
        // The demo's peer gateway runs connections the console does not edit: show its SAs too.
        sas.stream()
                .filter(sa -> connections.stream().noneMatch(c -> c.name().equals(sa.connection())))
                .forEach(sa -> views.add(view(null, sa)));
        return views;
    }

    private static TunnelView idle(ConnectionConfig connection, TunnelState state) {
        return new TunnelView(
                "a", connection.name(), TunnelView.Keying.IKE, peer(connection), state, "", null, null, List.of());
    }

    private static TunnelView view(ConnectionConfig connection, IkeSaView sa) {
        String peer = sa.remote() != null
                ? sa.remote().getHostString() + ":" + sa.remote().getPort()
                : "";
        return new TunnelView(
                sa.gateway(),
                sa.connection(),
                TunnelView.Keying.IKE,
                connection != null && peer.isEmpty() ? peer(connection) : peer,
                sa.state(),
                HexFormat.of().toHexDigits(sa.initiatorSpi()) + "_"
                        + HexFormat.of().toHexDigits(sa.responderSpi()),
                sa.established(),
                sa.lastRekey(),
                sa.childSas());
    }

    private static String peer(ConnectionConfig connection) {
        return connection.remoteAddress() + ":" + connection.remotePort();
    }

    @Override
    public CompletionStage<Void> initiate(String connection) {
        return act("initiate", connection, ike -> ike.initiate(connection));
    }

    @Override
    public CompletionStage<Void> terminate(String connection) {
        return act("terminate", connection, ike -> ike.terminate(connection));
    }

    @Override
    public CompletionStage<Void> rekey(String connection) {
        return act("rekey", connection, ike -> ike.rekey(connection));
    }

    private CompletionStage<Void> act(
            String action, String connection, java.util.function.Function<IkeControl, CompletionStage<Void>> call) {
        if (config.tunnels().stream().anyMatch(t -> t.name().equals(connection))) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    connection + " is a manually keyed tunnel: its SAs come from the configuration, there is"
                            + " nothing to " + action));
        }
        if (connections.stream().noneMatch(c -> c.name().equals(connection))) {
            return CompletableFuture.failedFuture(
                    new java.util.NoSuchElementException("no connection named '" + connection + "'"));
        }
        return call.apply(ike())
                .whenComplete((ok, failure) -> events.record(IkeEvent.system(
                        "a",
                        connection,
                        failure == null,
                        action + (failure == null ? " done" : " failed: " + rootMessage(failure)))));
    }

    @Override
    public CompletionStage<Void> reloadConnections(List<ConnectionConfig> next) {
        connections = List.copyOf(next);
        RunningGateways now = running;
        CompletionStage<Void> applied = now == null
                ? CompletableFuture.failedFuture(
                        new IllegalStateException("saved; applied at the next start (no data path runs)"))
                : now.ike().reload(connections);
        return applied.whenComplete((ok, failure) -> events.record(IkeEvent.system(
                "a",
                "",
                failure == null,
                failure == null
                        ? "connections saved and running: " + next.size()
                        : "connections saved (" + next.size() + "), not running yet: " + rootMessage(failure))));
    }

    @Override
    public List<IkeEvent> recentEvents(int limit) {
        return events.recent(limit);
    }

    private IkeControl ike() {
        RunningGateways now = running;
        return now == null ? new IkeUnavailable() : now.ike();
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t != t.getCause()) {
            t = t.getCause();
        }
        return Objects.requireNonNullElse(t.getMessage(), t.toString());
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("while unsubscribing from IKE events: {}", e.toString());
        }
    }
}
