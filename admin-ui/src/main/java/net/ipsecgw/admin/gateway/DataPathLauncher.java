package net.ipsecgw.admin.gateway;

import net.ipsecgw.core.config.GatewayConfig;

/** Starts the data path a profile asks for. */
@FunctionalInterface
public interface DataPathLauncher {
    /**
     * Starts the gateways; blocks until traffic can flow.
     *
     * @throws DataPathUnavailableException when this data path cannot run in this build yet (the
     *     console runs without it and says why)
     * @throws RuntimeException when it could not start (start-up fails with the reason)
     */
    RunningGateways start(GatewayConfig config) throws InterruptedException;
}
