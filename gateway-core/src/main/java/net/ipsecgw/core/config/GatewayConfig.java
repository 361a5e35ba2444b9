package net.ipsecgw.core.config;

import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import net.ipsecgw.core.lane.LaneTransport;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.ike.config.ConfigValueException;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.IkeSettings;
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
 * @param tunnels the manually keyed tunnels (like {@code ip xfrm state add})
 * @param ike gateway-wide IKE settings
 * @param connections the IKEv2 connections
 */
public record GatewayConfig(
        Lanes lanes,
        Black black,
        Red red,
        List<TunnelConfig> tunnels,
        IkeSettings ike,
        List<ConnectionConfig> connections) {

    /**
     * Fills in defaults and checks that tunnel and connection names and inbound SPIs are unique.
     *
     * @throws ConfigValueException naming the second name or inbound SPI that is already taken
     */
    public GatewayConfig {
        lanes = Objects.requireNonNullElseGet(lanes, () -> new Lanes(null, null));
        black = Objects.requireNonNullElseGet(black, () -> new Black(null, null, null, null, null, null));
        red = Objects.requireNonNullElseGet(red, () -> new Red(null, null, null, null, null));
        tunnels = tunnels == null ? List.of() : List.copyOf(tunnels);
        ike = Objects.requireNonNullElseGet(ike, IkeSettings::defaults);
        connections = connections == null ? List.of() : List.copyOf(connections);
        checkConnectionNames(tunnels, connections);
        Map<String, Integer> names = new HashMap<>();
        Map<Long, String> spis = new HashMap<>();
        for (int t = 0; t < tunnels.size(); t++) {
            TunnelConfig tunnel = tunnels.get(t);
            Integer first = names.putIfAbsent(tunnel.name(), t);
            if (first != null) {
                throw new ConfigValueException(
                        "tunnels[" + t + "].name",
                        "'" + tunnel.name() + "' is already the name of tunnels[" + first + "]; names must be unique");
            }
            List<ManualSa> inbound =
                    tunnel.manual() == null ? List.of() : tunnel.manual().inbound();
            for (int i = 0; i < inbound.size(); i++) {
                String key = "tunnels[" + t + "].manual.inbound[" + i + "]";
                String user = spis.putIfAbsent(inbound.get(i).spi(), key + " (tunnel '" + tunnel.name() + "')");
                if (user != null) {
                    throw new ConfigValueException(
                            key + ".spi",
                            "0x" + Long.toHexString(inbound.get(i).spi()) + " is already the SPI of " + user
                                    + "; inbound SPIs must be unique across tunnels");
                }
            }
        }
    }

    private static void checkConnectionNames(List<TunnelConfig> tunnels, List<ConnectionConfig> connections) {
        Map<String, String> names = new HashMap<>();
        for (int t = 0; t < tunnels.size(); t++) {
            names.putIfAbsent(tunnels.get(t).name(), "tunnels[" + t + "]");
        }
        for (int c = 0; c < connections.size(); c++) {
            String first = names.putIfAbsent(connections.get(c).name(), "connections[" + c + "]");
            if (first != null) {
                throw new ConfigValueException(
                        "connections[" + c + "].name",
                        "'" + connections.get(c).name() + "' is already the name of " + first
                                + "; tunnel and connection names must be unique");
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
                throw new ConfigValueException("cpus", "must be distinct and not negative, got " + cpus);
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
     * @param gso send runs of equal-sized ESP packets as UDP GSO sends, which needs the kernel's UDP
     *     checksum on IPv4 instead of RFC 3948's zero; null (the default): on where the lanes' transport
     *     can send segmented datagrams, see {@link #useGso}
     */
    public record Black(
            String address, Integer port, PortRange sourcePorts, String portKey, Duration keepalive, Boolean gso) {
        private static final String DEFAULT_PORT_KEY = "00000000000000000000000000000000";

        /** Defaults and checks. */
        public Black {
            address = address == null || address.isBlank() ? "0.0.0.0" : address.trim();
            if (!NetUtil.isValidIpV4Address(address) && !NetUtil.isValidIpV6Address(address)) {
                throw new ConfigValueException("address", "'" + address + "' is not an IP address");
            }
            port = port == null ? 4500 : port;
            if (port < 1 || port > 65535) {
                throw new ConfigValueException("port", "must be 1-65535, got " + port);
            }
            sourcePorts = sourcePorts == null ? PortRange.DYNAMIC : sourcePorts;
            portKey = portKey == null ? DEFAULT_PORT_KEY : portKey.trim();
            if (!portKey.matches("\\p{XDigit}{32}")) {
                // Never echo the value: the port key is a secret.
                throw new ConfigValueException(
                        "port-key",
                        "must be 32 hexadecimal digits (16 bytes); quote it if it has only digits (YAML reads"
                                + " those as a number)");
            }
            keepalive = keepalive == null ? Duration.ofSeconds(20) : keepalive;
            if (keepalive.isNegative()) {
                throw new ConfigValueException("keepalive", "must not be negative, got " + keepalive);
            }
        }

        /**
         * Whether the lanes send with UDP GSO: as configured, or, when {@link #gso()} is null, whenever the
         * transport can.
         *
         * @param transportCan whether the lanes' transport can send segmented datagrams here
         * @param transport the transport's name, for the message
         * @throws IllegalStateException naming the key when it is true and the transport cannot
         */
        public boolean useGso(boolean transportCan, Object transport) {
            if (gso == null) {
                return transportCan;
            }
            if (gso && !transportCan) {
                throw new IllegalStateException("gateway.black.gso is true, but the " + transport
                        + " transport cannot send segmented UDP datagrams (UDP GSO) on this system;"
                        + " set gateway.black.gso to false or leave it out");
            }
            return gso;
        }

        /** The source-port hash key as bytes. */
        public byte[] portKeyBytes() {
            return HexFormat.of().parseHex(portKey);
        }

        /** Everything but the port key, which is a secret. */
        @Override
        public String toString() {
            return "Black[address=" + address + ", port=" + port + ", sourcePorts=" + sourcePorts
                    + ", portKey=(redacted), keepalive=" + keepalive + ", gso=" + gso + "]";
        }

        /** Batched reads as measured best on these machines. */
        public DatagramBatching batching() {
            return DatagramBatching.DEFAULT;
        }
    }

    /**
     * The red side: the multi-queue TUN device, or an in-process traffic generator.
     *
     * @param tunName the device name (default ipsecgw0)
     * @param pathMtu the black side's path MTU, from which the TUN MTU is derived (default 1500)
     * @param offload open the TUN device with a virtio-net header and TCP and UDP segmentation offload:
     *     the kernel hands up to 64 KB TCP or UDP super-packets per read, which the lane segments itself
     *     before encryption, and takes coalesced super-packets per write (default on: measured 1.5x the
     *     tunnel throughput without, see docs/BENCHMARKS.md)
     * @param mode {@link RedMode#TUN} (default) or {@link RedMode#GENERATOR}: no TUN device, no routes and
     *     no CAP_NET_ADMIN; each lane sends generated packets and counts what it decrypts
     * @param generator what the generator sends (generator mode only)
     */
    public record Red(String tunName, Integer pathMtu, Boolean offload, RedMode mode, Generator generator) {
        /** Defaults and checks. */
        public Red {
            offload = offload == null || offload;
            tunName = tunName == null || tunName.isBlank() ? "ipsecgw0" : tunName.trim();
            if (tunName.length() > 15 || !tunName.matches("[A-Za-z0-9_.-]+")) {
                throw new ConfigValueException(
                        "tun-name", "'" + tunName + "' must be 1-15 letters, digits, '_', '.' or '-'");
            }
            pathMtu = pathMtu == null ? 1500 : pathMtu;
            if (pathMtu < 576 || pathMtu > 65535) {
                throw new ConfigValueException("path-mtu", "must be 576-65535, got " + pathMtu);
            }
            mode = Objects.requireNonNullElse(mode, RedMode.TUN);
            if (mode == RedMode.GENERATOR && generator == null) {
                throw new ConfigValueException(
                        "generator", "must be given in generator mode (at least local-prefix and remote-prefix)");
            }
        }
    }

    /** What a lane's red side is. */
    public enum RedMode {
        /** One queue of the multi-queue TUN device per lane (needs CAP_NET_ADMIN). */
        TUN,
        /** An in-process traffic source and sink per lane: no TUN, no routes, no privileges. */
        GENERATOR
    }

    /**
     * The traffic generator of {@link RedMode#GENERATOR}: each lane sends IPv4/UDP packets of many flows
     * from {@code localPrefix} to {@code remotePrefix} (put them inside a tunnel's selectors) and checks
     * the packets it decrypts.
     *
     * @param localPrefix where the generated packets come from (IPv4)
     * @param remotePrefix where they go to (IPv4)
     * @param flows distinct flows per lane (default 16)
     * @param rate packets per second per lane (default 2000; 0: receive only)
     * @param size bytes per IP packet (default 256, 48-1400)
     */
    public record Generator(IpPrefix localPrefix, IpPrefix remotePrefix, Integer flows, Integer rate, Integer size) {
        /** Defaults and checks. */
        public Generator {
            if (localPrefix == null || !localPrefix.isIpv4()) {
                throw new ConfigValueException("local-prefix", "must be an IPv4 prefix, got " + localPrefix);
            }
            if (remotePrefix == null || !remotePrefix.isIpv4()) {
                throw new ConfigValueException("remote-prefix", "must be an IPv4 prefix, got " + remotePrefix);
            }
            flows = Objects.requireNonNullElse(flows, 16);
            check("flows", flows, 1, 4096);
            rate = Objects.requireNonNullElse(rate, 2000);
            check("rate", rate, 0, 1_000_000);
            size = Objects.requireNonNullElse(size, 256);
            check("size", size, 48, 1400);
        }

        private static void check(String key, int value, int min, int max) {
            if (value < min || value > max) {
                throw new ConfigValueException(key, "must be " + min + "-" + max + ", got " + value);
            }
        }
    }
}
