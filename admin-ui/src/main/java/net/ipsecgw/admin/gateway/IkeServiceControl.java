package net.ipsecgw.admin.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import net.ipsecgw.core.Gateway;
import net.ipsecgw.core.control.ChildSaStatus;
import net.ipsecgw.core.control.IkeService;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.sa.ChildSa;
import net.ipsecgw.ike.sa.IkeSa;
import net.ipsecgw.ike.sa.IkeSaStatus;

/**
 * {@link IkeControl} over gateway-core's {@link IkeService} of one gateway, or of the demo's two: the
 * IKE SAs of each with their Child SAs per lane (SPIs from the IKE SA, source ports and counters from
 * the data path's {@link Gateway#childSas()}), the operator's actions forwarded to the gateway that runs
 * the connection, and each gateway's {@link IkeEventStream}.
 *
 * <p>Actions complete with the outcome of the exchange they start, not when it was queued: initiate
 * when the IKE SA is established, terminate when it is gone, rekey when the IKE SA was replaced; they
 * fail when the IKE SA goes down instead, or after {@link #ACTION_TIMEOUT}; when they complete, {@link
 * #ikeSas()} already shows their outcome. Any thread.
 */
public final class IkeServiceControl implements IkeControl {
    /** The longest an action waits for the exchange it started. */
    static final Duration ACTION_TIMEOUT = Duration.ofSeconds(30);

    private final List<Member> members;

    /**
     * One gateway's IKE control plane.
     *
     * @param name the gateway's name in the console
     * @param gateway the running gateway (for its Child SA counters and ports)
     * @param ike its IKE service
     * @param events the events its IKE service reports to
     */
    record Member(String name, Gateway gateway, IkeService ike, IkeEventStream events) {}

    /** Over {@code members}, the console's own gateway first (it receives {@link #reload}). */
    IkeServiceControl(List<Member> members) {
        this.members = List.copyOf(members);
    }

    @Override
    public boolean available() {
        return members.getFirst().ike().running();
    }

    @Override
    public List<IkeSaView> ikeSas() {
        List<IkeSaView> views = new ArrayList<>();
        for (Member member : members) {
            Map<Long, ChildSaStatus> installed = member.gateway().childSas().stream()
                    .collect(Collectors.toMap(ChildSaStatus::id, c -> c, (x, y) -> x));
            for (IkeSaStatus sa : member.ike().ikeSas()) {
                views.add(view(member, sa, installed));
            }
        }
        return views;
    }

    private static IkeSaView view(Member member, IkeSaStatus sa, Map<Long, ChildSaStatus> installed) {
        Instant now = Instant.now();
        List<ChildSaView> children = sa.children().stream()
                .sorted(Comparator.comparingInt(IkeSaStatus.Child::lane))
                .map(child -> childView(member, child, installed.get(child.id()), now))
                .toList();
        return new IkeSaView(
                member.name(),
                sa.connection(),
                state(sa),
                sa.initiatorSpi(),
                sa.responderSpi(),
                sa.local(),
                sa.remote(),
                established(member, sa, now),
                lastRekey(member, sa, now),
                children);
    }

    private static ChildSaView childView(Member member, IkeSaStatus.Child child, ChildSaStatus data, Instant now) {
        int sourcePort = data != null
                ? data.sourcePort()
                : member.gateway().natTAddress().getPort();
        return new ChildSaView(
                child.lane(),
                child.inboundSpi(),
                child.outboundSpi(),
                sourcePort,
                data == null ? 0 : data.usage().inboundPackets(),
                data == null ? 0 : data.usage().inboundBytes(),
                data == null ? 0 : data.usage().outboundPackets(),
                data == null ? 0 : data.usage().outboundBytes(),
                now.minusNanos(child.ageNanos()));
    }

    private static TunnelState state(IkeSaStatus sa) {
        return switch (sa.state()) {
            case CONNECTING -> TunnelState.CONNECTING;
            case ESTABLISHED ->
                sa.children().stream().anyMatch(c -> c.state() == ChildSa.State.REKEYING)
                        ? TunnelState.REKEYING
                        : TunnelState.ESTABLISHED;
            case REKEYED, DELETING -> TunnelState.DELETING;
            case DESTROYED -> TunnelState.DOWN;
        };
    }

    private static Instant established(Member member, IkeSaStatus sa, Instant now) {
        if (sa.state() == IkeSa.State.CONNECTING) {
            return null;
        }
        Instant seen = member.events().established(sa.initiatorSpi());
        return seen != null ? seen : now.minusNanos(sa.ageNanos());
    }

    /** The later of the last rekey event and the newest Child SA that came from a rekey. */
    private static Instant lastRekey(Member member, IkeSaStatus sa, Instant now) {
        Instant fromEvents = member.events().lastRekey(sa.connection());
        Instant fromChildren = sa.children().stream()
                .filter(c -> c.rekeys() > 0)
                .map(c -> now.minusNanos(c.ageNanos()))
                .max(Comparator.naturalOrder())
                .orElse(null);
        if (fromEvents == null || fromChildren == null) {
            return fromEvents != null ? fromEvents : fromChildren;
        }
        return fromEvents.isAfter(fromChildren) ? fromEvents : fromChildren;
    }

    @Override
    public CompletionStage<Void> initiate(String connection) {
        Member member = runner(connection);
        if (isEstablished(member, connection)) {
            return CompletableFuture.completedFuture(null);
        }
        return awaiting(
                member,
                connection,
                "initiate",
                event -> event.kind() == IkeEvent.Kind.ESTABLISHED,
                event -> event.kind() == IkeEvent.Kind.DELETED,
                ike -> ike.initiate(connection));
    }

    @Override
    public CompletionStage<Void> terminate(String connection) {
        Member member = runner(connection);
        if (member.ike().ikeSas().stream().noneMatch(sa -> sa.connection().equals(connection))) {
            return CompletableFuture.completedFuture(null);
        }
        return awaiting(
                member,
                connection,
                "terminate",
                event -> event.kind() == IkeEvent.Kind.DELETED,
                event -> false,
                ike -> ike.terminate(connection));
    }

    @Override
    public CompletionStage<Void> rekey(String connection) {
        Member member = runner(connection);
        return awaiting(
                member,
                connection,
                "rekey",
                event -> event.kind() == IkeEvent.Kind.REKEY && event.exchange().equals("IKE"),
                event -> event.kind() == IkeEvent.Kind.DELETED,
                ike -> ike.rekey(connection));
    }

    /**
     * Subscribes to the member's events for {@code connection}, then starts {@code action}: completes
     * on the first event that {@code success} accepts, fails on one that {@code failure} accepts, on the
     * action's own failure, or after {@link #ACTION_TIMEOUT}.
     */
    private static CompletionStage<Void> awaiting(
            Member member,
            String connection,
            String what,
            Predicate<IkeEvent> success,
            Predicate<IkeEvent> failure,
            Function<IkeService, CompletableFuture<Void>> action) {
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        AutoCloseable subscription = member.events().subscribe(event -> {
            if (!event.connection().equals(connection)) {
                return;
            }
            if (success.test(event)) {
                outcome.complete(null);
            } else if (failure.test(event)) {
                outcome.completeExceptionally(new IllegalStateException(event.message()));
            }
        });
        action.apply(member.ike()).whenComplete((queued, error) -> {
            if (error != null) {
                outcome.completeExceptionally(error);
            }
        });
        return outcome.thenCompose(done -> member.ike().sync()) // the tunnel list shows the outcome at once
                .orTimeout(ACTION_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .exceptionallyCompose(error -> CompletableFuture.failedFuture(
                        error instanceof TimeoutException
                                ? new IllegalStateException(what + " " + connection + ": no outcome within "
                                        + ACTION_TIMEOUT.toSeconds() + " s (is the peer answering?)")
                                : error))
                .whenComplete((done, error) -> closeQuietly(subscription));
    }

    private static boolean isEstablished(Member member, String connection) {
        return member.ike().ikeSas().stream()
                .anyMatch(sa -> sa.connection().equals(connection) && sa.state() == IkeSa.State.ESTABLISHED);
    }

    @Override
    public CompletionStage<Void> reload(List<ConnectionConfig> connections) {
        IkeService ike = members.getFirst().ike();
        if (!ike.running()) {
            return CompletableFuture.failedFuture(new IllegalStateException("saved; applied at the next start (no IKE"
                    + " control plane runs: the gateway started without connections)"));
        }
        return ike.reload(connections).thenApply(replaced -> null);
    }

    @Override
    public AutoCloseable subscribe(Consumer<IkeEvent> listener) {
        List<AutoCloseable> subscriptions =
                members.stream().map(m -> m.events().subscribe(listener)).toList();
        return () -> subscriptions.forEach(IkeServiceControl::closeQuietly);
    }

    /** The gateway that runs {@code connection}: the console's own unless only another one does. */
    private Member runner(String connection) {
        return members.stream()
                .filter(m ->
                        m.ike().connections().stream().anyMatch(c -> c.name().equals(connection)))
                .findFirst()
                .orElse(members.getFirst());
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing an event subscription cannot fail", e);
        }
    }
}
