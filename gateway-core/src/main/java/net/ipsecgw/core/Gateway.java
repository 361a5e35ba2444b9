package net.ipsecgw.core;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.IoEventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.UnixChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.TunnelConfig;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.lane.LaneEventLoops;
import net.ipsecgw.core.lane.LaneTransport;
import net.ipsecgw.core.linux.CpuAffinity;
import net.ipsecgw.core.linux.TunDevice;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.core.tun.TunQueueIo;
import net.ipsecgw.core.tun.TunQueueIoConfig;
import net.ipsecgw.natt.EncapsulationMtu;
import net.ipsecgw.natt.EncapsulationPorts;
import net.ipsecgw.natt.NatKeepalives;
import net.ipsecgw.natt.ReuseportSocketGroup;
import net.ipsecgw.natt.UdpEncapsulation;
import net.ipsecgw.natt.UdpTransport;

/**
 * A running gateway: its lanes with their pinned event loops, the port-4500 socket group, the
 * per-lane source-port sockets, the multi-queue TUN device with one queue per lane, and the tunnels'
 * SAs installed on the lanes. Starting and closing happen on the calling (control) thread, which
 * blocks until every lane is ready or stopped.
 *
 * <p>{@link #start(GatewayConfig)} needs CAP_NET_ADMIN (TUN, routes). What it opened is closed again if
 * a later step fails, so a failed start leaves nothing behind.
 */
public final class Gateway implements AutoCloseable {
    private final GatewayConfig config;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private LaneEventLoops loops;
    private List<Lane> lanes = List.of();
    private TunDevice tun;
    private ReuseportSocketGroup natTPort;
    private final List<Channel> sourcePortChannels = new ArrayList<>();
    private int[] sourcePorts = new int[0];

    private Gateway(GatewayConfig config) {
        this.config = config;
    }

    /** Starts a gateway as {@code config} describes; blocks until traffic can flow. */
    public static Gateway start(GatewayConfig config) throws InterruptedException {
        Gateway gateway = new Gateway(config);
        boolean started = false;
        try {
            gateway.startLanes();
            gateway.openTun();
            gateway.bindSockets();
            gateway.installTunnels();
            gateway.attachTunQueues();
            gateway.startKeepalives();
            started = true;
            return gateway;
        } finally {
            if (!started) {
                gateway.close();
            }
        }
    }

    private void startLanes() {
        List<Integer> cpus = config.lanes().cpus();
        if (cpus.isEmpty()) {
            BitSet allowed = CpuAffinity.currentThreadCpus();
            cpus = allowed.stream().boxed().toList();
        }
        loops = LaneEventLoops.start(config.lanes().transport(), cpus);
        List<Lane> all = new ArrayList<>();
        for (int k = 0; k < loops.laneCount(); k++) {
            all.add(new Lane(
                    k,
                    loops.eventLoop(k),
                    config.black().batching().maxDatagramSize(),
                    config.red().offload()));
        }
        lanes = List.copyOf(all);
    }

    private void openTun() {
        EncapsulationMtu.IpVersion outer = config.black().address().contains(":")
                ? EncapsulationMtu.IpVersion.IPV6
                : EncapsulationMtu.IpVersion.IPV4;
        int mtu = EncapsulationMtu.tunMtu(config.red().pathMtu(), outer);
        tun = TunDevice.open(
                config.red().tunName(),
                lanes.size(),
                mtu,
                loops.transport().tunFdMode(),
                config.red().offload());
        for (TunnelConfig tunnel : config.tunnels()) {
            for (IpPrefix remote : tunnel.remoteTs()) {
                Routes.replace(remote, tun.name());
            }
        }
    }

    private void bindSockets() throws InterruptedException {
        UdpTransport transport =
                loops.transport() == LaneTransport.IO_URING ? UdpTransport.IO_URING : UdpTransport.EPOLL;
        List<IoEventLoop> eventLoops = lanes.stream().map(Lane::eventLoop).toList();
        InetSocketAddress address =
                new InetSocketAddress(config.black().address(), config.black().port());
        natTPort = ReuseportSocketGroup.bind(
                transport, eventLoops, address, config.black().batching(), k -> lanes.get(k)
                        .blackHandler());
        if (config.tunnels().stream().anyMatch(TunnelConfig::multiport)) {
            sourcePorts = EncapsulationPorts.assign(
                    config.black().portKeyBytes(), config.black().sourcePorts(), lanes.size());
            for (Lane lane : lanes) {
                Bootstrap bootstrap = new Bootstrap()
                        .group(lane.eventLoop())
                        .channel(transport.datagramChannelClass())
                        .option(UnixChannelOption.SO_REUSEPORT, false)
                        .handler(lane.blackHandler());
                config.black().batching().applyTo(bootstrap, transport);
                InetSocketAddress local = new InetSocketAddress(config.black().address(), sourcePorts[lane.index()]);
                Channel channel = bootstrap.bind(local).sync().channel();
                sourcePortChannels.add(channel);
                UdpEncapsulation.sendWithoutChecksum(channel);
            }
        }
    }

    private void installTunnels() throws InterruptedException {
        List<Lane.Tables> tables = TunnelInstaller.build(config, lanes.size(), this::sendChannel);
        // Each lane's tables (and the SAs in them) belong to that lane from here on.
        for (Lane lane : lanes) {
            Lane.Tables laneTables = tables.get(lane.index());
            lane.eventLoop().submit(() -> lane.install(laneTables)).sync();
        }
    }

    private Channel sendChannel(int lane, boolean perCpuWithMultiport) {
        return perCpuWithMultiport ? sourcePortChannels.get(lane) : natTPort.channel(lane);
    }

    private void attachTunQueues() throws InterruptedException {
        TunQueueIoConfig ioConfig = config.red().offload()
                // a read may hold a 64 KB TCP super-packet behind its 10-byte virtio-net header
                ? new TunQueueIoConfig(64, 65535, 64, 64, 4, 256)
                : TunQueueIoConfig.defaults(tun.mtu());
        for (Lane lane : lanes) {
            TunQueueIo io = TunQueueIo.register(
                            lane.eventLoop(), tun.queue(lane.index()), lane, PooledByteBufAllocator.DEFAULT, ioConfig)
                    .sync()
                    .getNow();
            lane.eventLoop().submit(() -> lane.attach(io)).sync();
            resources.add(io);
        }
    }

    private void startKeepalives() {
        if (config.black().keepalive().isZero()) {
            return;
        }
        List<DatagramChannel> sources = new ArrayList<>();
        sources.add(natTPort.channel(0));
        sourcePortChannels.forEach(c -> sources.add((DatagramChannel) c));
        for (TunnelConfig tunnel : config.tunnels()) {
            InetSocketAddress peer = new InetSocketAddress(tunnel.remoteAddress(), tunnel.remotePort());
            resources.add(NatKeepalives.start(
                    tunnel.multiport() ? sources : List.of(natTPort.channel(0)),
                    peer,
                    config.black().keepalive()));
        }
    }

    /** The lanes, in order. */
    public List<Lane> lanes() {
        return lanes;
    }

    /** The TUN device's name. */
    public String tunName() {
        return tun.name();
    }

    /** The TUN device's MTU (derived from the path MTU). */
    public int tunMtu() {
        return tun.mtu();
    }

    /** The encapsulation source port of each lane (empty when no tunnel uses multiport). */
    public int[] sourcePorts() {
        return sourcePorts.clone();
    }

    /** The port-4500 address the lanes share. */
    public InetSocketAddress natTAddress() {
        return natTPort.localAddress();
    }

    /** Stops everything, in reverse order of start. Idempotent. */
    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            closeQuietly(resources.get(i));
        }
        resources.clear();
        sourcePortChannels.forEach(c -> c.close().awaitUninterruptibly());
        sourcePortChannels.clear();
        if (natTPort != null) {
            closeQuietly(natTPort);
            natTPort = null;
        }
        if (tun != null) {
            closeQuietly(tun);
            tun = null;
        }
        if (loops != null) {
            closeQuietly(loops);
            loops = null;
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("while closing " + resource + ": " + e);
        }
    }

    /** Installs routes for the remote subnets into the TUN device, with iproute2. */
    static final class Routes {
        private Routes() {}

        static void replace(IpPrefix prefix, String device) {
            List<String> command = new ArrayList<>(List.of("ip"));
            if (!prefix.isIpv4()) {
                command.add("-6");
            }
            command.addAll(List.of("route", "replace", prefix.toString(), "dev", device));
            try {
                Process process =
                        new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes()).trim();
                if (process.waitFor() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while adding a route", e);
            }
        }
    }
}
