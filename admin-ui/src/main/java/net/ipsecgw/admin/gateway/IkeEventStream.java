package net.ipsecgw.admin.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.sa.ChildSa;
import net.ipsecgw.ike.sa.IkeEvents;
import net.ipsecgw.ike.sa.IkeSa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway's {@link IkeEvents} as the appliance's {@link IkeEvent}s, handed to every subscriber (the
 * event log, which feeds the log page and the IKE metrics, and actions waiting for an outcome). It
 * also remembers, per IKE SA, when it was established and when its connection was last rekeyed, which
 * the IKE SA snapshots do not carry. Events before the first subscription (the handshakes while the
 * gateway starts) are kept and handed to the first subscriber. Called on the gateway's control loop;
 * subscribers must not block.
 * Never carries keying material: only names, SPIs, lanes and outcomes.
 */
final class IkeEventStream implements IkeEvents {
    private static final Logger log = LoggerFactory.getLogger(IkeEventStream.class);

    /** At most this many events are kept for the first subscriber. */
    private static final int EARLY_EVENTS = 1000;

    private final String gateway;
    private final List<Consumer<IkeEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Map<Long, Instant> established = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastRekey = new ConcurrentHashMap<>();
    private List<IkeEvent> early = new ArrayList<>();

    /** The events of gateway {@code gateway} ({@code a}, {@code b}). */
    IkeEventStream(String gateway) {
        this.gateway = gateway;
    }

    /** Calls {@code listener} for every event from now on; closing the handle unsubscribes. */
    synchronized AutoCloseable subscribe(Consumer<IkeEvent> listener) {
        listeners.add(listener);
        if (early != null) {
            early.forEach(event -> deliver(listener, event));
            early = null;
        }
        return () -> listeners.remove(listener);
    }

    /** When the IKE SA with this initiator SPI was established, or null. */
    Instant established(long initiatorSpi) {
        return established.get(initiatorSpi);
    }

    /** When the connection's IKE SA or one of its Child SAs was last rekeyed, or null. */
    Instant lastRekey(String connection) {
        return lastRekey.get(connection);
    }

    @Override
    public void log(IkeSa sa, String message) {
        emit(sa, IkeEvent.Kind.LOG, "", true, Duration.ZERO, message);
    }

    @Override
    public void exchange(IkeSa sa, ExchangeType type, boolean asInitiator, String result) {
        boolean ok = result.equals("ok");
        String side = asInitiator ? "request" : "response";
        emit(sa, IkeEvent.Kind.EXCHANGE, type.toString(), ok, Duration.ZERO, type + " " + side + ": " + result);
    }

    @Override
    public void established(IkeSa sa, long latencyNanos) {
        established.put(sa.initiatorSpi(), Instant.now());
        emit(
                sa,
                IkeEvent.Kind.ESTABLISHED,
                "",
                true,
                Duration.ofNanos(latencyNanos),
                "IKE SA established with " + sa.remote() + " (" + sa.remoteIdentity() + ", " + sa.algorithms() + ")");
    }

    @Override
    public void childInstalled(IkeSa sa, ChildSa child, boolean rekey) {
        String what = "Child SA " + lane(child) + " " + spis(child);
        if (rekey) {
            lastRekey.put(sa.connection().name(), Instant.now());
            emit(sa, IkeEvent.Kind.REKEY, "CHILD", true, Duration.ZERO, what + " replaces its predecessor");
        } else {
            emit(sa, IkeEvent.Kind.LOG, "", true, Duration.ZERO, what + " installed");
        }
    }

    @Override
    public void childRemoved(IkeSa sa, ChildSa child) {
        emit(
                sa,
                IkeEvent.Kind.LOG,
                "",
                true,
                Duration.ZERO,
                "Child SA " + lane(child) + " " + spis(child) + " removed");
    }

    @Override
    public void ikeRekeyed(IkeSa oldSa, IkeSa newSa) {
        lastRekey.put(newSa.connection().name(), Instant.now());
        Instant first = established.remove(oldSa.initiatorSpi());
        established.put(newSa.initiatorSpi(), first == null ? Instant.now() : first);
        emit(newSa, IkeEvent.Kind.REKEY, "IKE", true, Duration.ZERO, "IKE SA rekeyed, replacing " + oldSa);
    }

    @Override
    public void ikeDown(IkeSa sa, String reason) {
        established.remove(sa.initiatorSpi());
        boolean orderly = !reason.contains("dead") && !reason.contains("fail") && !reason.contains("timeout");
        emit(sa, IkeEvent.Kind.DELETED, "", orderly, Duration.ZERO, "IKE SA down: " + reason);
    }

    @Override
    public void dpd(IkeSa sa, boolean dead) {
        emit(sa, IkeEvent.Kind.DPD, "", !dead, Duration.ZERO, dead ? "dead peer detected" : "liveness check sent");
    }

    private void emit(IkeSa sa, IkeEvent.Kind kind, String exchange, boolean ok, Duration latency, String message) {
        String connection = sa == null ? "" : sa.connection().name();
        IkeEvent event = new IkeEvent(Instant.now(), gateway, connection, kind, exchange, ok, latency, message);
        if (kind == IkeEvent.Kind.ESTABLISHED || kind == IkeEvent.Kind.DELETED || !ok) {
            log.info("ike {} {}: {}", gateway, connection, message);
        }
        synchronized (this) {
            if (early != null) {
                if (early.size() < EARLY_EVENTS) {
                    early.add(event);
                }
                return;
            }
            listeners.forEach(listener -> deliver(listener, event));
        }
    }

    private static void deliver(Consumer<IkeEvent> listener, IkeEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            // a listener's bug must not reach the IKE daemon's control loop
            log.warn("IKE event listener failed on {}: {}", event, e.toString());
        }
    }

    private static String lane(ChildSa child) {
        return child.lane() == ChildSaSpec.FALLBACK ? "fallback" : "lane " + child.lane();
    }

    private static String spis(ChildSa child) {
        return String.format("in 0x%08x out 0x%08x", child.inboundSpi(), child.outboundSpi());
    }
}
