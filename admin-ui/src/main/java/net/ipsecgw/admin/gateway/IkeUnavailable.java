package net.ipsecgw.admin.gateway;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import net.ipsecgw.ike.config.ConnectionConfig;

/**
 * The {@link IkeControl} of a gateway without an IKE control plane: no IKE SAs, no events, and every
 * action fails with {@link IkeUnavailableException}. Never pretends that something happened.
 */
public final class IkeUnavailable implements IkeControl {
    @Override
    public boolean available() {
        return false;
    }

    @Override
    public List<IkeSaView> ikeSas() {
        return List.of();
    }

    @Override
    public CompletionStage<Void> initiate(String connection) {
        return unavailable("initiate " + connection);
    }

    @Override
    public CompletionStage<Void> terminate(String connection) {
        return unavailable("terminate " + connection);
    }

    @Override
    public CompletionStage<Void> rekey(String connection) {
        return unavailable("rekey " + connection);
    }

    @Override
    public CompletionStage<Void> reload(List<ConnectionConfig> connections) {
        return CompletableFuture.failedFuture(new IllegalStateException(
                "saved; applied at the next start (no IKE control plane runs: the gateway started without IKE"
                        + " connections)"));
    }

    @Override
    public AutoCloseable subscribe(Consumer<IkeEvent> listener) {
        return () -> {};
    }

    private static CompletionStage<Void> unavailable(String what) {
        return CompletableFuture.failedFuture(new IkeUnavailableException(what));
    }
}
