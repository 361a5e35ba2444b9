package net.ipsecgw.admin.gateway;

import java.util.List;
import net.ipsecgw.core.Gateway;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.control.IkeService;

/**
 * One gateway on a multi-queue TUN device (root), as {@link Gateway#start(GatewayConfig,
 * net.ipsecgw.ike.dataplane.ControlPlane.Factory)} starts it: its manually keyed tunnels, and its IKE
 * connections run by an {@link IkeService}. Without connections at start, no IKE control plane runs.
 */
public final class TunDataPath implements DataPathLauncher {
    @Override
    public RunningGateways start(GatewayConfig config) throws InterruptedException {
        IkeEventStream events = new IkeEventStream("a");
        IkeService ike = new IkeService(config, events);
        Gateway gateway = Gateway.start(config, ike);
        RunningGateways.Member member = new RunningGateways.Member(
                "a",
                gateway.lanes(),
                gateway.sourcePorts(),
                gateway.natTAddress().getPort());
        IkeControl control = new IkeServiceControl(List.of(new IkeServiceControl.Member("a", gateway, ike, events)));
        return new Running(gateway, member, control);
    }

    private record Running(Gateway gateway, Member member, IkeControl ike) implements RunningGateways {
        @Override
        public List<Member> gateways() {
            return List.of(member);
        }

        @Override
        public String describe() {
            return member.lanes().size() + " lanes on TUN " + gateway.tunName() + " (mtu " + gateway.tunMtu()
                    + "), NAT-T " + gateway.natTAddress()
                    + (gateway.ikeAddress() == null ? ", no IKE connections" : ", IKE " + gateway.ikeAddress());
        }

        @Override
        public void close() {
            gateway.close();
        }
    }
}
