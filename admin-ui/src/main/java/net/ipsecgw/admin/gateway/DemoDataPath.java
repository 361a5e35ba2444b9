package net.ipsecgw.admin.gateway;

import net.ipsecgw.core.config.GatewayConfig;

/**
 * The demo: two gateways in this JVM, {@code a} on 127.0.0.1 and {@code b} on 127.0.0.2, talking real
 * IKEv2 and ESP over loopback UDP with per-CPU SAs and multiport, and a traffic source/sink on every
 * lane in place of TUN, so that no root is needed.
 *
 * <p>It needs two things gateway-core does not have yet: a red side that generates and absorbs traffic
 * instead of a TUN device, and {@code Gateway.start(config, ControlPlane.Factory)} with the IKE control
 * plane. Until then it says so, and the console runs without a data path.
 */
public final class DemoDataPath implements DataPathLauncher {
    @Override
    public RunningGateways start(GatewayConfig config) {
        throw new DataPathUnavailableException("the demo data path (two gateways over loopback with a traffic"
                + " generator in place of TUN) waits for gateway-core's generator red side and the IKE control"
                + " plane; the console runs without it");
    }
}
