package net.ipsecgw.admin.gateway;

import java.util.List;
import java.util.concurrent.CompletionStage;
import net.ipsecgw.ike.config.ConnectionConfig;

/**
 * The running gateway as the console, the REST API and the metrics see it: its lanes and their
 * counters, its tunnels with their IKE SAs and per-lane Child SAs, the operator's actions, and what
 * happened recently. {@link GatewayService} implements it over gateway-core's lanes and an {@link
 * IkeControl}. Any thread.
 */
public interface GatewayControl {
    /** Whether a data path runs, and if not, why. */
    DataPathStatus status();

    /** Every lane of every gateway, with its counters now. */
    List<LaneSnapshot> lanes();

    /** Every tunnel: manually keyed ones and IKE connections, with their SAs. */
    List<TunnelView> tunnels();

    /** Initiates an IKE connection. Fails for unknown names, manual tunnels, or without IKE. */
    CompletionStage<Void> initiate(String connection);

    /** Terminates an IKE connection's SAs. */
    CompletionStage<Void> terminate(String connection);

    /** Rekeys an IKE connection's Child SAs now. */
    CompletionStage<Void> rekey(String connection);

    /** Runs this set of connections from now on (after the console saved them). */
    CompletionStage<Void> reloadConnections(List<ConnectionConfig> connections);

    /** The most recent events, newest first, at most {@code limit}. */
    List<IkeEvent> recentEvents(int limit);
}
