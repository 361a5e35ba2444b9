package net.ipsecgw.admin.gateway;

import java.util.List;
import net.ipsecgw.core.Gateway;
import net.ipsecgw.core.config.GatewayConfig;

/**
 * One gateway on a multi-queue TUN device, as {@link Gateway#start(GatewayConfig)} starts it (root).
 * Its manually keyed tunnels run; IKE connections wait for {@code Gateway.start(config,
 * ControlPlane.Factory)}, which will hand this class the control plane to adapt to {@link IkeControl}.
 */
public final class TunDataPath implements DataPathLauncher {
    @Override
    public RunningGateways start(GatewayConfig config) throws InterruptedException {
        Gateway gateway = Gateway.start(config);
        RunningGateways.Member member = new RunningGateways.Member(
                "a",
                gateway.lanes(),
                gateway.sourcePorts(),
                gateway.natTAddress().getPort());
        return new Running(gateway, member);
    }

    private record Running(Gateway gateway, Member member) implements RunningGateways {
        @Override
        public List<Member> gateways() {
            return List.of(member);
        }

        @Override
        public IkeControl ike() {
            return new IkeUnavailable();
        }

        @Override
        public String describe() {
            return member.lanes().size() + " lanes on TUN " + gateway.tunName() + " (mtu " + gateway.tunMtu()
                    + "), NAT-T " + gateway.natTAddress();
        }

        @Override
        public void close() {
            gateway.close();
        }
    }
}
