package net.ipsecgw.core;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.TunnelConfig;
import net.ipsecgw.core.control.ChildSaStatus;
import net.ipsecgw.core.control.IkeDatagrams;
import net.ipsecgw.core.control.LaneDataPlane;
import net.ipsecgw.core.control.TsPrefixes;
import net.ipsecgw.core.datapath.Lane;
import net.ipsecgw.core.datapath.TunnelEntry;
import net.ipsecgw.core.lane.LaneEventLoops;
import net.ipsecgw.core.lane.LaneTransport;
import net.ipsecgw.core.linux.CpuAffinity;
import net.ipsecgw.core.linux.TunDevice;
import net.ipsecgw.core.offload.VirtioNetHeader;
import net.ipsecgw.core.red.TrafficGenerator;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.core.tun.TunQueueIo;
import net.ipsecgw.core.tun.TunQueueIoConfig;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.dataplane.ControlPlane;
import net.ipsecgw.ike.dataplane.TsRange;
import net.ipsecgw.natt.EncapsulationMtu;
import net.ipsecgw.natt.EncapsulationPorts;
import net.ipsecgw.natt.NatKeepalives;
import net.ipsecgw.natt.ReuseportSocketGroup;
import net.ipsecgw.natt.UdpEncapsulation;
import net.ipsecgw.natt.UdpTransport;

/**
 * A running gateway: its lanes with their pinned event loops, the port-4500 socket group, the
 * per-lane source-port sockets, the red side (the multi-queue TUN device with one queue per lane, or a
 * traffic generator per lane), the tunnels' SAs installed on the lanes, and the control loop that runs
 * the IKE control plane over the lanes ({@link LaneDataPlane}). Starting and closing happen on the
 * calling thread, which blocks until every lane is ready or stopped.
 *
 * <pre>
 *  lanes (pinned loops) --> sockets (4500 group, source ports) --> control loop --> tables (manual + IKE)
 *  --> red side (TUN queues / generators) --> housekeeping timers, keepalives --> control plane, IKE port
 * </pre>
 *
 * <p>In TUN mode {@link #start(GatewayConfig)} needs CAP_NET_ADMIN (TUN, routes); generator mode needs
 * no privilege. What it opened is closed again if a later step fails, so a failed start leaves nothing
 * behind.
 */
public final class Gateway implements AutoCloseable {
    private static final long HOUSEKEEPING_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CONTROL_TIMEOUT_SECONDS = 10;

    private final GatewayConfig config;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private LaneEventLoops loops;
    private List<Lane> lanes = List.of();
    private TunDevice tun;
    private int redMtu;
    private ReuseportSocketGroup natTPort;
    private final List<Channel> sourcePortChannels = new ArrayList<>();
    private int[] sourcePorts = new int[0];
    /** Whether the lanes send with UDP GSO (and the black sockets keep the UDP checksum for it). */
    private boolean gso;

    private MultiThreadIoEventLoopGroup controlGroup;
    private IoEventLoop controlLoop;
    private LaneDataPlane dataPlane;
    private IkeDatagrams ikeDatagrams;
    private ControlPlane controlPlane;
    private List<TrafficGenerator> generators = List.of();

    private Gateway(GatewayConfig config) {
        this.config = config;
    }

    /** Starts a gateway with manually keyed tunnels only; blocks until traffic can flow. */
    public static Gateway start(GatewayConfig config) throws InterruptedException {
        return start(config, null);
    }

    /**
     * Starts a gateway as {@code config} describes and, when it has IKE connections and {@code factory}
     * is not null, the control plane that {@code factory} builds over the lanes; blocks until traffic
     * can flow and the control plane has started.
     */
    public static Gateway start(GatewayConfig config, ControlPlane.Factory factory) throws InterruptedException {
        Gateway gateway = new Gateway(config);
        boolean started = false;
        try {
            gateway.startLoops();
            gateway.openTun();
            gateway.createLanes();
            gateway.bindSockets();
            gateway.startControlLoop();
            gateway.installTunnels();
            gateway.attachRedSide();
            gateway.lanes.forEach(lane -> lane.startHousekeeping(HOUSEKEEPING_NANOS));
            gateway.startKeepalives();
            gateway.startControlPlane(factory);
            started = true;
            return gateway;
        } finally {
            if (!started) {
                gateway.close();
            }
        }
    }

    private boolean generatorMode() {
        return config.red().mode() == GatewayConfig.RedMode.GENERATOR;
    }

    private void startLoops() {
        List<Integer> cpus = config.lanes().cpus();
        if (cpus.isEmpty()) {
            BitSet allowed = CpuAffinity.currentThreadCpus();
            cpus = allowed.stream().boxed().toList();
        }
        loops = LaneEventLoops.start(config.lanes().transport(), cpus);
        gso = config.black().useGso(udpTransport().supportsSegmentedDatagrams(), loops.transport());
    }

    /** After {@link #openTun()}: the lanes need the offloads the device got. */
    private void createLanes() {
        List<Lane> all = new ArrayList<>();
        for (int k = 0; k < loops.laneCount(); k++) {
            all.add(new Lane(k, loops.eventLoop(k), config.black().batching().maxDatagramSize(), tunOffloads(), gso));
        }
        lanes = List.copyOf(all);
    }

    private void openTun() {
        EncapsulationMtu.IpVersion outer = config.black().address().contains(":")
                ? EncapsulationMtu.IpVersion.IPV6
                : EncapsulationMtu.IpVersion.IPV4;
        redMtu = EncapsulationMtu.tunMtu(config.red().pathMtu(), outer);
        if (generatorMode()) {
            return;
        }
        tun = TunDevice.open(
                config.red().tunName(),
                loops.laneCount(),
                redMtu,
                loops.transport().tunFdMode(),
                config.red().offload());
        for (TunnelConfig tunnel : config.tunnels()) {
            for (IpPrefix remote : tunnel.remoteTs()) {
                Routes.replace(remote, tun.name());
            }
        }
        for (ConnectionConfig connection : config.connections()) {
            for (TsRange remote : connection.remoteSelectors()) {
                for (IpPrefix prefix : TsPrefixes.prefixes(remote)) {
                    Routes.replace(prefix, tun.name());
                }
            }
        }
    }

    private UdpTransport udpTransport() {
        return loops.transport() == LaneTransport.IO_URING ? UdpTransport.IO_URING : UdpTransport.EPOLL;
    }

    private void bindSockets() throws InterruptedException {
        UdpTransport transport = udpTransport();
        List<IoEventLoop> eventLoops = lanes.stream().map(Lane::eventLoop).toList();
        InetSocketAddress address =
                new InetSocketAddress(config.black().address(), config.black().port());
        natTPort = ReuseportSocketGroup.bind(
                transport, eventLoops, address, config.black().batching(), gso, k -> lanes.get(k)
                        .blackHandler());
        boolean multiport = config.tunnels().stream().anyMatch(TunnelConfig::multiport)
                || config.connections().stream().anyMatch(ConnectionConfig::multiport);
        if (multiport) {
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
                UdpEncapsulation.setUpChecksum(channel, gso);
            }
        }
    }

    /** The control loop: one more event loop of the lanes' transport, not pinned (IKE is light work). */
    private void startControlLoop() {
        ThreadFactory threads = task -> new FastThreadLocalThread(task, "control");
        controlGroup =
                new MultiThreadIoEventLoopGroup(1, threads, loops.transport().ioHandlerFactory());
        controlLoop = controlGroup.next();
    }

    private void installTunnels() throws InterruptedException {
        List<TunnelEntry> manual = TunnelInstaller.entries(config, lanes.size(), this::sendChannel);
        ikeDatagrams =
                new IkeDatagrams(natTPort.channel(0), natTPort.localAddress().getPort());
        dataPlane = new LaneDataPlane(
                lanes,
                controlLoop,
                this::sendChannel,
                sourcePorts,
                natTPort.localAddress().getPort(),
                config.black().keepalive(),
                manual,
                ikeDatagrams,
                new SecureRandom());
        CompletionStage<Void> published =
                controlLoop.submit(dataPlane::publish).sync().getNow();
        awaitOrThrow(published.toCompletableFuture(), "installing the tunnels' tables");
    }

    private Channel sendChannel(int lane, boolean perCpuWithMultiport) {
        return perCpuWithMultiport && !sourcePortChannels.isEmpty()
                ? sourcePortChannels.get(lane)
                : natTPort.channel(lane);
    }

    private void attachRedSide() throws InterruptedException {
        if (generatorMode()) {
            attachGenerators();
            return;
        }
        TunQueueIoConfig ioConfig = config.red().offload()
                // a read may hold a super-packet of up to 65,535 bytes behind its 10-byte virtio-net header
                ? new TunQueueIoConfig(64, 65535 + VirtioNetHeader.SIZE, 64, 64, 4, 256)
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

    private void attachGenerators() throws InterruptedException {
        GatewayConfig.Generator settings = config.red().generator();
        List<TrafficGenerator> all = new ArrayList<>();
        for (Lane lane : lanes) {
            TrafficGenerator generator = new TrafficGenerator(
                    lane.index(),
                    lane.eventLoop(),
                    lane,
                    PooledByteBufAllocator.DEFAULT,
                    settings.localPrefix(),
                    settings.remotePrefix(),
                    settings.flows(),
                    settings.rate(),
                    Math.min(settings.size(), redMtu));
            lane.eventLoop().submit(() -> lane.attach(generator)).sync();
            all.add(generator);
        }
        generators = List.copyOf(all);
        generators.forEach(TrafficGenerator::start);
    }

    /**
     * NAT keepalives of the manually keyed tunnels, to every peer. Those of IKE peers are the data
     * plane's: only while a NAT translates us, to wherever the peer is now.
     */
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

    /**
     * With IKE connections and a factory: builds the control plane on the control loop, binds the IKE
     * port, lets the lanes hand IKE on port 4500 to it, then starts it. Without, IKE stays not handled.
     */
    private void startControlPlane(ControlPlane.Factory factory) throws InterruptedException {
        if (factory == null || config.connections().isEmpty()) {
            return;
        }
        controlPlane = controlLoop
                .submit(() -> {
                    ControlPlane created = factory.create(dataPlane, controlLoop);
                    dataPlane.listener(created);
                    return created;
                })
                .sync()
                .getNow();
        InetSocketAddress ikeAddress =
                new InetSocketAddress(config.black().address(), config.ike().port());
        ikeDatagrams.bind(udpTransport(), controlLoop, ikeAddress, dataPlane);
        lanes.forEach(lane -> lane.ikeSink(dataPlane));
        controlLoop.submit(controlPlane::start).sync();
    }

    private static void awaitOrThrow(CompletableFuture<Void> done, String what) throws InterruptedException {
        try {
            done.get(CONTROL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not finish within " + CONTROL_TIMEOUT_SECONDS + " s", e);
        }
    }

    /** The lanes, in order. */
    public List<Lane> lanes() {
        return lanes;
    }

    /** The TUN device's name, or null in generator mode. */
    public String tunName() {
        return tun == null ? null : tun.name();
    }

    /**
     * The {@code TUNSETOFFLOAD} flags in effect on the TUN device (see {@link TunDevice#offloads()}); 0
     * without {@code red.offload} and in generator mode.
     */
    public int tunOffloads() {
        return tun == null ? 0 : tun.offloads();
    }

    /** The TUN device's MTU (derived from the path MTU; in generator mode the MTU it would have). */
    public int tunMtu() {
        return redMtu;
    }

    /** The encapsulation source port of each lane (empty when nothing uses multiport). */
    public int[] sourcePorts() {
        return sourcePorts.clone();
    }

    /** True when the lanes send with UDP GSO ({@code black.gso}, resolved against the transport). */
    public boolean gso() {
        return gso;
    }

    /** The port-4500 address the lanes share. */
    public InetSocketAddress natTAddress() {
        return natTPort.localAddress();
    }

    /** The IKE port's address, or null when no control plane runs. */
    public InetSocketAddress ikeAddress() {
        return ikeDatagrams == null ? null : ikeDatagrams.ikeAddress();
    }

    /** The lanes' traffic generators, in lane order (empty in TUN mode). */
    public List<TrafficGenerator> generators() {
        return generators;
    }

    /** The IKE Child SA pairs installed on the lanes, with their counters. Any thread. */
    public List<ChildSaStatus> childSas() {
        return dataPlane == null ? List.of() : dataPlane.childSas();
    }

    /**
     * Stops everything, in reverse order of start: the control plane first (on its loop, so it can still
     * tell its peers, waiting at most 10 s), then the IKE port, the red side, the sockets, the lanes and
     * the control loop. Idempotent.
     */
    @Override
    public void close() {
        closeControlPlane();
        lanes.forEach(lane -> lane.ikeSink(null));
        if (ikeDatagrams != null) {
            closeQuietly(ikeDatagrams);
            ikeDatagrams = null;
        }
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
        if (controlGroup != null) {
            controlGroup
                    .shutdownGracefully(100, CONTROL_TIMEOUT_SECONDS * 1000, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(2 * CONTROL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            controlGroup = null;
        }
    }

    private void closeControlPlane() {
        if (controlPlane == null) {
            return;
        }
        ControlPlane closing = controlPlane;
        controlPlane = null;
        Future<?> closed = controlLoop.submit(closing::close);
        if (!closed.awaitUninterruptibly(CONTROL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            System.err.println("the control plane did not close within " + CONTROL_TIMEOUT_SECONDS + " s");
        } else if (!closed.isSuccess()) {
            System.err.println("while closing the control plane: " + closed.cause());
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
