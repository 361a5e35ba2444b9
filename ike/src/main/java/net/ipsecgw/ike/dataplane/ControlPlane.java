package net.ipsecgw.ike.dataplane;

import io.netty.util.concurrent.EventExecutor;

/**
 * The IKE control plane as the gateway runs it: it receives the data path's reports (as a {@link
 * DataPlaneListener}), is started once the data path is up, and is closed before the data path stops
 * (deleting its IKE SAs with INFORMATIONAL exchanges while it still can send).
 */
public interface ControlPlane extends DataPlaneListener, AutoCloseable {
    /** Starts the connections whose start action says so. Control loop thread. */
    void start();

    /** Deletes every IKE SA (telling the peers) and stops. Blocks until done or timed out. */
    @Override
    void close();

    /** Builds the control plane of a gateway, once its data path is ready. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param dataPlane the gateway's data path
         * @param controlLoop the single thread every call to and from the control plane runs on
         */
        ControlPlane create(DataPlane dataPlane, EventExecutor controlLoop);
    }
}
