package net.ipsecgw.admin.gateway;

import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.core.Gateway;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.control.IkeService;
import net.ipsecgw.ike.config.ConnectionConfig;

/**
 * The demo: two gateways in this JVM, {@code a} as configured (127.0.0.1) and {@code b} on {@link
 * #PEER_ADDRESS}, talking real IKEv2 and ESP over loopback UDP with per-CPU SAs and multiport, and a
 * traffic generator on every lane in place of TUN, so that no root is needed.
 *
 * <p>{@code b} mirrors {@code a}: the same lanes, ports and IKE settings on its own address, the
 * generator's prefixes swapped, and for every connection of {@code a} towards {@link #PEER_ADDRESS} the
 * mirrored connection (selectors and identities swapped, the same PSK, waiting for {@code a} to
 * initiate). {@code b} starts first, so that {@code a}'s first IKE_SA_INIT finds it listening.
 */
public final class DemoDataPath implements DataPathLauncher {
    /** The demo peer's address: a second loopback address, there without any set-up on Linux. */
    static final String PEER_ADDRESS = "127.0.0.2";

    @Override
    public RunningGateways start(GatewayConfig config) throws InterruptedException {
        if (config.red().mode() != GatewayConfig.RedMode.GENERATOR) {
            throw new IllegalStateException("the demo data path needs gateway.red.mode: generator (no TUN device)");
        }
        GatewayConfig peerConfig = mirror(config);
        IkeEventStream eventsB = new IkeEventStream("b");
        IkeEventStream eventsA = new IkeEventStream("a");
        IkeService ikeB = new IkeService(peerConfig, eventsB);
        Gateway b = Gateway.start(peerConfig, ikeB);
        try {
            IkeService ikeA = new IkeService(config, eventsA);
            Gateway a = Gateway.start(config, ikeA);
            IkeServiceControl control = new IkeServiceControl(List.of(
                    new IkeServiceControl.Member("a", a, ikeA, eventsA),
                    new IkeServiceControl.Member("b", b, ikeB, eventsB)));
            return new Running(a, b, control);
        } catch (RuntimeException | InterruptedException e) {
            b.close();
            throw e;
        }
    }

    /** {@code b}'s configuration: {@code a}'s, seen from the other end of the loopback link. */
    static GatewayConfig mirror(GatewayConfig a) {
        GatewayConfig.Black black = a.black();
        GatewayConfig.Generator generator = a.red().generator();
        List<ConnectionConfig> connections = new ArrayList<>();
        for (ConnectionConfig c : a.connections()) {
            if (c.remoteAddress().equals(PEER_ADDRESS)) {
                connections.add(mirror(c, black.address(), a.ike().port()));
            }
        }
        return new GatewayConfig(
                a.lanes(),
                new GatewayConfig.Black(
                        PEER_ADDRESS,
                        black.port(),
                        black.sourcePorts(),
                        black.portKey(),
                        black.keepalive(),
                        black.gso()),
                new GatewayConfig.Red(
                        null,
                        a.red().pathMtu(),
                        false,
                        GatewayConfig.RedMode.GENERATOR,
                        new GatewayConfig.Generator(
                                generator.remotePrefix(),
                                generator.localPrefix(),
                                generator.flows(),
                                generator.rate(),
                                generator.size())),
                List.of(),
                a.ike(),
                connections);
    }

    /** {@code c} as the peer runs it: responder only, everything else swapped or equal. */
    static ConnectionConfig mirror(ConnectionConfig c, String address, int ikePort) {
        return new ConnectionConfig(
                mirroredName(c.name()),
                address,
                ikePort,
                c.remoteId(),
                c.localId() == null ? address : c.localId(),
                c.auth(),
                c.psk(),
                c.certificate(),
                c.privateKey(),
                c.caCertificates(),
                c.ikeProposals(),
                c.espProposals(),
                c.remoteTs(),
                c.localTs(),
                c.ikeRekeyTime(),
                c.childRekeyTime(),
                c.childLifeTime(),
                c.childRekeyBytes(),
                c.childRekeyPackets(),
                c.dpdDelay(),
                c.dpdAction(),
                c.perCpuSas(),
                c.perCpuMax(),
                c.multiport(),
                ConnectionConfig.StartAction.NONE,
                c.replayWindow());
    }

    /** {@code demo-ab} becomes {@code demo-ba}; any other name gets {@code -peer}. */
    static String mirroredName(String name) {
        return name.endsWith("-ab") ? name.substring(0, name.length() - 3) + "-ba" : name + "-peer";
    }

    private record Running(Gateway a, Gateway b, IkeServiceControl control) implements RunningGateways {
        @Override
        public List<Member> gateways() {
            return List.of(member("a", a), member("b", b));
        }

        private static Member member(String name, Gateway gateway) {
            return new Member(
                    name,
                    gateway.lanes(),
                    gateway.sourcePorts(),
                    gateway.natTAddress().getPort());
        }

        @Override
        public IkeControl ike() {
            return control;
        }

        @Override
        public String describe() {
            return "demo: gateways a (" + a.natTAddress() + ") and b (" + b.natTAddress() + "), IKE ports "
                    + a.ikeAddress().getPort() + ", " + a.lanes().size() + " lanes each (pinned), traffic"
                    + " generators in place of TUN";
        }

        @Override
        public void close() {
            a.close(); // a first: it tells b that its IKE SAs are gone while b still listens
            b.close();
        }
    }
}
