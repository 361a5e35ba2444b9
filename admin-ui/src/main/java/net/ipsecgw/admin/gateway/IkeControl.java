package net.ipsecgw.admin.gateway;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import net.ipsecgw.ike.config.ConnectionConfig;

/**
 * Everything the appliance needs from the IKE control plane, and nothing more: the IKE SAs with their
 * per-lane Child SAs, the operator's actions, the connections to run, and a stream of events (for the
 * log page and the IKE metrics). {@link IkeServiceControl} implements it over gateway-core's IKE
 * service; a gateway without one answers with {@link IkeUnavailable}.
 *
 * <p>Any thread may call any method; the implementation hands the work to its control loop. Actions
 * complete when the exchange they start has finished (or failed), never before.
 */
public interface IkeControl {
    /** True when an IKE control plane is running behind this interface. */
    boolean available();

    /** Every IKE SA (one per connection that has one), with its Child SAs. A snapshot. */
    List<IkeSaView> ikeSas();

    /** Initiates the connection's IKE SA and Child SAs (or re-initiates them). */
    CompletionStage<Void> initiate(String connection);

    /** Deletes the connection's IKE SA and its Child SAs, telling the peer (INFORMATIONAL, Delete). */
    CompletionStage<Void> terminate(String connection);

    /** Rekeys the connection's Child SAs now (CREATE_CHILD_SA, make-before-break). */
    CompletionStage<Void> rekey(String connection);

    /**
     * Runs this set of connections from now on: new ones are added (and started as their start action
     * says), removed ones are terminated, changed ones are terminated and re-added.
     */
    CompletionStage<Void> reload(List<ConnectionConfig> connections);

    /**
     * Calls {@code listener} for every event from now on, on the control loop's thread (the listener
     * must not block). Closing the returned handle unsubscribes.
     */
    AutoCloseable subscribe(Consumer<IkeEvent> listener);
}
