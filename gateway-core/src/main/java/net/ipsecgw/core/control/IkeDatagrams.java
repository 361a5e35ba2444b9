package net.ipsecgw.core.control;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import net.ipsecgw.natt.Port4500Demux;
import net.ipsecgw.natt.UdpEncapsulation;
import net.ipsecgw.natt.UdpTransport;

/**
 * The gateway's IKE sockets: the IKE port (500 by default), bound on the control loop, and lane 0's
 * socket in the NAT-T port group, which IKE shares with ESP so that a NAT keeps one binding for both
 * (RFC 7296 §2.23).
 *
 * <pre>
 *  receive: IKE port socket --(control loop)--> LaneDataPlane.deliverIke --> listener
 *           (port 4500: lane 0's Lane.IkeSink strips the marker and hands the message over)
 *  send:    local port == NAT-T port: non-ESP marker + message --> lane 0's NAT-T socket (thread-safe write)
 *           otherwise:                message as it is         --> IKE port socket
 * </pre>
 *
 * <p>Owned by the control loop: {@link #send} runs there, and so does the IKE port's handler.
 */
public final class IkeDatagrams implements IkeSender, AutoCloseable {
    private final Channel natT;
    private final int natTPort;
    private Channel ikePort;

    /** Receive buffer of the IKE port: 4 MiB (the kernel caps it at net.core.rmem_max). */
    static final int IKE_RECEIVE_BUFFER = 4 << 20;

    /** Sends IKE over NAT-T from {@code natT} (lane 0's socket, bound to {@code natTPort}). */
    public IkeDatagrams(Channel natT, int natTPort) {
        this.natT = natT;
        this.natTPort = natTPort;
    }

    /**
     * Binds the IKE port on {@code controlLoop} and delivers what it receives to {@code dataPlane}.
     * Blocks until bound; call from outside the control loop.
     */
    public void bind(UdpTransport transport, EventLoop controlLoop, InetSocketAddress address, LaneDataPlane dataPlane)
            throws InterruptedException {
        ikePort = new Bootstrap()
                .group(controlLoop)
                .channel(transport.datagramChannelClass())
                // A burst of IKE_SA_INIT requests arrives while the control loop computes key exchanges:
                // with the default 208 KB buffer the kernel dropped hundreds of them, and each drop cost
                // the initiator a retransmission timeout.
                .option(ChannelOption.SO_RCVBUF, IKE_RECEIVE_BUFFER)
                .handler(new Receiver(dataPlane))
                .bind(address)
                .sync()
                .channel();
    }

    /** The IKE port's local address, or null before {@link #bind}. */
    public InetSocketAddress ikeAddress() {
        return ikePort == null ? null : (InetSocketAddress) ikePort.localAddress();
    }

    @Override
    public void send(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
        if (local.getPort() == natTPort) {
            natT.writeAndFlush(new DatagramPacket(withMarker(message), remote), natT.voidPromise());
        } else if (ikePort != null) {
            ikePort.writeAndFlush(new DatagramPacket(message, remote), ikePort.voidPromise());
        } else {
            message.release();
        }
    }

    /** The message behind the non-ESP marker (RFC 3948 §2.2): in place if it has the headroom, else copied. */
    private static ByteBuf withMarker(ByteBuf message) {
        if (message.readerIndex() >= UdpEncapsulation.NON_ESP_MARKER_LENGTH) {
            Port4500Demux.prependNonEspMarker(message);
            return message;
        }
        try {
            ByteBuf framed = message.alloc().buffer(UdpEncapsulation.NON_ESP_MARKER_LENGTH + message.readableBytes());
            return framed.writeInt(0).writeBytes(message);
        } finally {
            message.release();
        }
    }

    /** Closes the IKE port (the NAT-T socket belongs to lane 0). Any thread but the control loop. */
    @Override
    public void close() {
        if (ikePort != null) {
            ikePort.close().awaitUninterruptibly();
        }
    }

    /** The IKE port's handler, on the control loop. */
    private static final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {
        private final LaneDataPlane dataPlane;

        Receiver(LaneDataPlane dataPlane) {
            super(false);
            this.dataPlane = dataPlane;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
            dataPlane.deliverIke(datagram.content(), datagram.recipient(), datagram.sender());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP errors surface here; the socket stays open.
        }
    }
}
