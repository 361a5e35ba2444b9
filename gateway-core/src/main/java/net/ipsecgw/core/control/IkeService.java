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
 * for initiate, terminate or rekey, which run on the control loop.
 */
public final class IkeService implements ControlPlane.Factory {
    private static final long REFRESH_MILLIS = 500;

    private final GatewayConfig config;
    private final IkeEvents events;
    private volatile IkeDaemon daemon;
    private volatile EventExecutor loop;
    private volatile List<IkeSaStatus> snapshot = List.of();

    /** A factory for the connections of {@code config}, reporting to {@code events}. */
    public IkeService(GatewayConfig config, IkeEvents events) {
        this.config = config;
        this.events = events;
    }

    @Override
    public ControlPlane create(DataPlane dataPlane, EventExecutor controlLoop) {
        IkeContext context = new IkeContext(
                dataPlane,
                Timers.on(controlLoop),
                new SecureRandom(),
                config.ike(),
                address(config.black().address()),
                config.ike().port(),
                config.black().port(),
                events);
        IkeDaemon created = new IkeDaemon(context, config.connections());
        ScheduledFuture<?> refresh =
                controlLoop.scheduleAtFixedRate(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        this.daemon = created;
        this.loop = controlLoop;
        return new ControlPlane() {
            @Override
            public void start() {
                created.start();
                refresh();
            }

            @Override
            public void close() {
                refresh.cancel(false);
                created.close();
                refresh();
            }

            @Override
            public void expired(long id, boolean hard) {
                created.expired(id, hard);
            }

            @Override
            public void acquire(String tunnel, int lane) {
                created.acquire(tunnel, lane);
            }

            @Override
            public void ikeReceived(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
                created.ikeReceived(message, local, remote);
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

    /** Messages dropped before any IKE SA, by reason (any thread). */
    public IkeCounters counters() {
        IkeDaemon current = daemon;
        return current == null ? new IkeCounters() : current.counters();
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
