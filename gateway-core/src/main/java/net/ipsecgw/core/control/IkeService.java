package net.ipsecgw.core.control;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.dataplane.ControlPlane;
import net.ipsecgw.ike.dataplane.DataPlane;
import net.ipsecgw.ike.sa.IkeContext;
import net.ipsecgw.ike.sa.IkeCounters;
import net.ipsecgw.ike.sa.IkeDaemon;
import net.ipsecgw.ike.sa.IkeEvents;
import net.ipsecgw.ike.sa.IkeSaStatus;
import net.ipsecgw.ike.sa.Timers;

/**
 * The gateway's IKE control plane and the operator's handle on it. As a {@link ControlPlane.Factory}
 * it builds the {@link IkeDaemon} on the gateway's control loop; afterwards any thread may read the
 * IKE SAs (a snapshot refreshed on the control loop twice a second and after every action) and ask
 * for initiate, terminate, rekey or a new set of connections ({@link #reload}), which run on the
 * control loop.
 *
 * <p>The control plane handed to the gateway forwards to the current daemon, so that {@link #reload}
 * can replace the daemon without the data path noticing: the fields below are written on the control
 * loop and read by other threads only for snapshots.
 */
public final class IkeService implements ControlPlane.Factory {
    private static final long REFRESH_MILLIS = 500;

    private final GatewayConfig config;
    private final IkeEvents events;
    private volatile IkeDaemon daemon;
    private volatile IkeContext context;
    private volatile EventExecutor loop;
    private volatile List<IkeSaStatus> snapshot = List.of();
    private volatile List<ConnectionConfig> connections;

    /** A factory for the connections of {@code config}, reporting to {@code events}. */
    public IkeService(GatewayConfig config, IkeEvents events) {
        this.config = config;
        this.events = events;
        this.connections = config.connections();
    }

    @Override
    public ControlPlane create(DataPlane dataPlane, EventExecutor controlLoop) {
        IkeContext created = new IkeContext(
                dataPlane,
                Timers.on(controlLoop),
                new SecureRandom(),
                config.ike(),
                address(config.black().address()),
                config.ike().port(),
                config.black().port(),
                events);
        this.daemon = new IkeDaemon(created, connections);
        this.context = created;
        this.loop = controlLoop;
        ScheduledFuture<?> refresh =
                controlLoop.scheduleAtFixedRate(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        return new ControlPlane() {
            @Override
            public void start() {
                daemon.start();
                refresh();
            }

            @Override
            public void close() {
                refresh.cancel(false);
                daemon.close();
                refresh();
            }

            @Override
            public void expired(long id, boolean hard) {
                daemon.expired(id, hard);
            }

            @Override
            public void acquire(String tunnel, int lane) {
                daemon.acquire(tunnel, lane);
            }

            @Override
            public void ikeReceived(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
                daemon.ikeReceived(message, local, remote);
            }
        };
    }

    private void refresh() {
        IkeDaemon current = daemon;
        if (current != null) {
            snapshot = current.status();
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + literal, e);
        }
    }

    /** The IKE SAs as of the last refresh (any thread). */
    public List<IkeSaStatus> ikeSas() {
        return snapshot;
    }

    /** The connections the daemon runs (or will run once started). Any thread. */
    public List<ConnectionConfig> connections() {
        return connections;
    }

    /** True once the gateway has built the daemon (it has connections and was started with this factory). */
    public boolean running() {
        return daemon != null;
    }

    /**
     * Runs {@code next} from now on (control loop). When it differs from what runs, the daemon is
     * replaced: the current one deletes its IKE SAs, telling the peers (as at shutdown), the policies of
     * connections that are gone are removed, and a new daemon installs the policies of {@code next} and
     * initiates those whose start action says so. Every tunnel is therefore negotiated again, unchanged
     * ones too. Completes with true when the daemon was replaced, false when {@code next} is what runs.
     * Fails when no daemon runs, or when a connection's credentials cannot be loaded (the current
     * daemon then keeps running). In TUN mode, routes for new remote selectors are added only at the
     * next start.
     */
    public CompletableFuture<Boolean> reload(List<ConnectionConfig> next) {
        List<ConnectionConfig> copy = List.copyOf(next);
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        EventExecutor executor = loop;
        if (executor == null || daemon == null) {
            done.completeExceptionally(new IllegalStateException("the IKE control plane is not running"));
            return done;
        }
        executor.execute(() -> {
            try {
                done.complete(replaceDaemon(copy));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private boolean replaceDaemon(List<ConnectionConfig> next) {
        if (next.equals(connections)) {
            return false;
        }
        IkeDaemon replacement = new IkeDaemon(context, next); // loads credentials: may throw, nothing changed yet
        IkeDaemon old = daemon;
        old.close();
        for (ConnectionConfig gone : old.connections()) {
            if (next.stream().noneMatch(c -> c.name().equals(gone.name()))) {
                context.dataPlane().removePolicy(gone.name());
            }
        }
        daemon = replacement;
        connections = next;
        replacement.start();
        refresh();
        return true;
    }

    /** Messages dropped before any IKE SA, by reason (any thread). */
    public IkeCounters counters() {
        IkeDaemon current = daemon;
        return current == null ? new IkeCounters() : current.counters();
    }

    /**
     * Completes once the snapshot ({@link #ikeSas()}) reflects everything the control loop did before
     * this call, e.g. an IKE SA that an event just reported gone.
     */
    public CompletableFuture<Void> sync() {
        return onLoop(d -> {});
    }

    /** Initiates a connection (control loop); completes when the first exchange is under way. */
    public CompletableFuture<Void> initiate(String connection) {
        return onLoop(d -> d.initiate(connection));
    }

    /** Deletes a connection's IKE SAs, telling the peer. */
    public CompletableFuture<Void> terminate(String connection) {
        return onLoop(d -> d.terminate(connection));
    }

    /** Rekeys a connection's IKE SA and Child SAs now. */
    public CompletableFuture<Void> rekey(String connection) {
        return onLoop(d -> d.rekey(connection));
    }

    private CompletableFuture<Void> onLoop(Consumer<IkeDaemon> action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        EventExecutor executor = loop;
        IkeDaemon current = daemon;
        if (executor == null || current == null) {
            done.completeExceptionally(new IllegalStateException("the IKE control plane is not running"));
            return done;
        }
        executor.execute(() -> {
            try {
                action.accept(current);
                refresh();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
