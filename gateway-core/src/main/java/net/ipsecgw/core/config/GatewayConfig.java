package net.ipsecgw.core.config;

import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import net.ipsecgw.core.lane.LaneTransport;
import net.ipsecgw.natt.DatagramBatching;
import net.ipsecgw.natt.PortRange;

/**
 * The whole configuration of one gateway: its lanes, its black (encrypted, UDP) side, its red
 * (clear, TUN) side and its tunnels. Plain immutable records: {@link GatewayConfigLoader} reads them
 * from a YAML file and the appliance binds the same records with Spring; each record checks its own
 * values, naming the offending one, so a bad file stops start-up with a clear message.
 *
 * @param lanes the CPUs the data path runs on and how
 * @param black the UDP side
 * @param red the TUN side
 * @param tunnels the tunnels (manually keyed until IKE configures them)
 */
public record GatewayConfig(Lanes lanes, Black black, Red red, List<TunnelConfig> tunnels) {

    /** Fills in defaults and checks that tunnel names and inbound SPIs are unique. */
    public GatewayConfig {
        lanes = Objects.requireNonNullElseGet(lanes, () -> new Lanes(null, null));
        black = Objects.requireNonNullElseGet(black, () -> new Black(null, 0, null, null, null));
        red = Objects.requireNonNullElseGet(red, () -> new Red(null, 0));
        tunnels = tunnels == null ? List.of() : List.copyOf(tunnels);
        Set<String> names = new HashSet<>();
        Set<Long> spis = new HashSet<>();
        for (TunnelConfig tunnel : tunnels) {
            if (!names.add(tunnel.name())) {
                throw new IllegalArgumentException("two tunnels are named '" + tunnel.name() + "'");
            }
            for (ManualSa sa : tunnel.manual() == null
                    ? List.<ManualSa>of()
                    : tunnel.manual().inbound()) {
                if (!spis.add(sa.spi())) {
                    throw new IllegalArgumentException("inbound SPI 0x" + Long.toHexString(sa.spi())
                            + " is used twice (tunnel '" + tunnel.name() + "')");
                }
            }
        }
    }

    /**
     * The data-path lanes.
     *
     * @param cpus one lane per listed CPU, in order; empty: one lane per CPU this process may run on
     * @param transport the Netty transport of the lanes' event loops (default epoll)
     */
    public record Lanes(List<Integer> cpus, LaneTransport transport) {
        /** Defaults and range checks. */
        public Lanes {
            cpus = cpus == null ? List.of() : List.copyOf(cpus);
            transport = transport == null ? LaneTransport.EPOLL : transport;
            if (cpus.stream().anyMatch(cpu -> cpu < 0) || Set.copyOf(cpus).size() != cpus.size()) {
                throw new IllegalArgumentException("lane CPUs must be distinct and not negative: " + cpus);
            }
        }
    }

    /**
     * The black side: where ESP-in-UDP is received and sent.
     *
     * @param address the local address to bind (default: all addresses)
     * @param port the NAT-T port shared by the lanes (default 4500)
     * @param sourcePorts where per-lane encapsulation source ports are drawn from (default 49152-65535)
     * @param portKey 16 bytes of hex keying the source-port hash; fixed so ports survive restarts
     * @param keepalive NAT keepalive interval (RFC 3948 §2.3, default 20 s; 0 disables)
     */
    public record Black(String address, int port, PortRange sourcePorts, String portKey, Duration keepalive) {
        private static final String DEFAULT_PORT_KEY = "00000000000000000000000000000000";

        /** Defaults and checks. */
        public Black {
            address = address == null || address.isBlank() ? "0.0.0.0" : address.trim();
            if (!NetUtil.isValidIpV4Address(address) && !NetUtil.isValidIpV6Address(address)) {
                throw new IllegalArgumentException("'" + address + "' is not an IP address");
            }
            port = port == 0 ? 4500 : port;
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1-65535, got " + port);
            }
            sourcePorts = sourcePorts == null ? PortRange.DYNAMIC : sourcePorts;
            portKey = portKey == null ? DEFAULT_PORT_KEY : portKey.trim();
            if (!portKey.matches("\\p{XDigit}{32}")) {
                throw new IllegalArgumentException("port-key must be 32 hexadecimal digits (16 bytes)");
            }
            keepalive = keepalive == null ? Duration.ofSeconds(20) : keepalive;
            if (keepalive.isNegative()) {
                throw new IllegalArgumentException("keepalive must not be negative");
            }
        }

        /** The source-port hash key as bytes. */
        public byte[] portKeyBytes() {
            return HexFormat.of().parseHex(portKey);
        }

        /** Batched reads as measured best on these machines. */
        public DatagramBatching batching() {
            return DatagramBatching.DEFAULT;
        }
    }

    /**
     * The red side: the multi-queue TUN device.
     *
     * @param tunName the device name (default ipsecgw0)
     * @param pathMtu the black side's path MTU, from which the TUN MTU is derived (default 1500)
     */
    public record Red(String tunName, int pathMtu) {
        /** Defaults and checks. */
        public Red {
            tunName = tunName == null || tunName.isBlank() ? "ipsecgw0" : tunName.trim();
            if (tunName.length() > 15 || !tunName.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException(
                        "tun-name '" + tunName + "' must be 1-15 letters, digits, '_', '.' or '-'");
            }
            pathMtu = pathMtu == 0 ? 1500 : pathMtu;
            if (pathMtu < 576 || pathMtu > 65535) {
                throw new IllegalArgumentException("path-mtu must be 576-65535, got " + pathMtu);
            }
        }
    }
}
