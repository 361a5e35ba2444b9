package net.ipsecgw.natt;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.UnixChannelOption;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The lanes' shared NAT-T port: N UDP sockets bound to one address and port (4500 by default) with
 * SO_REUSEPORT, one per lane, with {@link ReuseportSpiSteering} deciding which socket each datagram
 * reaches.
 *
 * <pre>
 *   peer --UDP--> :4500 --[kernel: reuseport group, CBPF "SPI mod N"]--> socket k --> lane k's event loop
 *                                                                        (IKE, keepalives: k = 0)
 * </pre>
 *
 * <p>The kernel numbers a group's sockets in the order they join it, and the program returns that
 * number; so the sockets are bound strictly one after another, lane 0 first, and socket index k is
 * lane k. The program is attached as soon as lane 0's socket is bound: until the other sockets have
 * joined, datagrams for a missing index fall back to the kernel's hash (harmless at startup, when no
 * Child SA exists yet, and IKE always maps to 0). If a socket closes, the kernel moves the last socket
 * into its place: the group is then broken and must be closed and bound again ({@link #isIntact()}).
 *
 * <p>Built and closed by the control thread (blocking; never on one of the lanes' event loops). Each
 * channel then belongs to its lane's event loop.
 */
public final class ReuseportSocketGroup implements AutoCloseable {
    private final List<DatagramChannel> channels;
    private final InetSocketAddress localAddress;

    private ReuseportSocketGroup(List<DatagramChannel> channels) {
        this.channels = List.copyOf(channels);
        this.localAddress = channels.getFirst().localAddress();
    }

    /**
     * Binds one socket per lane to {@code address} and attaches the SPI steering program.
     *
     * @param transport the transport of the {@code lanes}' event loops
     * @param lanes one event loop per lane, in lane order
     * @param address the address and port to share; port 0 binds lane 0 to an ephemeral port and the
     *     other lanes to the same one
     * @param batching the batched-read configuration of every socket
     * @param handlerForLane the handler of lane k's channel (typically its pipeline initializer)
     * @throws InterruptedException if interrupted while binding; the sockets bound so far are closed
     */
    public static ReuseportSocketGroup bind(
            UdpTransport transport,
            List<? extends EventLoop> lanes,
            InetSocketAddress address,
            DatagramBatching batching,
            IntFunction<? extends ChannelHandler> handlerForLane)
            throws InterruptedException {
        return bind(transport, lanes, address, batching, false, handlerForLane);
    }

    /**
     * As {@link #bind(UdpTransport, List, InetSocketAddress, DatagramBatching, IntFunction)}; with {@code
     * segmentedSends} the sockets are set up for UDP GSO sends: they keep the kernel's UDP checksum
     * instead of sending IPv4 with checksum 0 ({@link UdpEncapsulation#setUpChecksum}).
     *
     * @throws IllegalArgumentException with {@code segmentedSends} on a transport that cannot send
     *     segmented datagrams here
     */
    public static ReuseportSocketGroup bind(
            UdpTransport transport,
            List<? extends EventLoop> lanes,
            InetSocketAddress address,
            DatagramBatching batching,
            boolean segmentedSends,
            IntFunction<? extends ChannelHandler> handlerForLane)
            throws InterruptedException {
        transport.ensureAvailable();
        if (segmentedSends && !transport.supportsSegmentedDatagrams()) {
            throw new IllegalArgumentException(transport + " cannot send segmented datagrams (UDP GSO) here");
        }
        if (lanes.isEmpty()) {
            throw new IllegalArgumentException("a socket group needs at least one lane");
        }
        Bootstrap bootstrap =
                new Bootstrap().channel(transport.datagramChannelClass()).option(UnixChannelOption.SO_REUSEPORT, true);
        batching.applyTo(bootstrap, transport);
        List<DatagramChannel> bound = new ArrayList<>(lanes.size());
        boolean success = false;
        try {
            bindAll(bootstrap, lanes, address, segmentedSends, handlerForLane, bound);
            success = true;
            return new ReuseportSocketGroup(bound);
        } finally {
            if (!success) {
                closeAll(bound);
            }
        }
    }

    private static void bindAll(
            Bootstrap bootstrap,
            List<? extends EventLoop> lanes,
            InetSocketAddress address,
            boolean segmentedSends,
            IntFunction<? extends ChannelHandler> handlerForLane,
            List<DatagramChannel> bound)
            throws InterruptedException {
        InetSocketAddress shared = address;
        for (int lane = 0; lane < lanes.size(); lane++) {
            DatagramChannel channel = (DatagramChannel) bootstrap
                    .clone()
                    .group(lanes.get(lane))
                    .handler(handlerForLane.apply(lane))
                    .bind(shared)
                    .sync()
                    .channel();
            bound.add(channel);
            UdpEncapsulation.setUpChecksum(channel, segmentedSends);
            if (lane == 0) {
                shared = new InetSocketAddress(
                        address.getAddress(), channel.localAddress().getPort());
                ReuseportSpiSteering.attach(UdpTransport.fd(channel), lanes.size());
            }
        }
    }

    /** The number of lanes (sockets) in the group. */
    public int lanes() {
        return channels.size();
    }

    /** Lane {@code lane}'s socket, which the steering program gives the SPIs {@code == lane (mod N)}. */
    public DatagramChannel channel(int lane) {
        return channels.get(lane);
    }

    /** The address and port all sockets share (the actual port when bound with port 0). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** True while every socket is open, i.e. the kernel's socket order still matches the lanes. */
    public boolean isIntact() {
        for (DatagramChannel channel : channels) {
            if (!channel.isOpen()) {
                return false;
            }
        }
        return true;
    }

    /** Closes every socket and waits for it; call from the control thread, not a lane. */
    @Override
    public void close() {
        closeAll(channels);
    }

    private static void closeAll(List<DatagramChannel> channels) {
        for (DatagramChannel channel : channels) {
            channel.close().syncUninterruptibly();
        }
    }
}
