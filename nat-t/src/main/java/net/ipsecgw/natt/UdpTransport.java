package net.ipsecgw.natt;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;

/**
 * The Netty native transports a lane can run on: epoll (the default) or io_uring. Both give the socket's
 * file descriptor (for the reuseport BPF program), batched datagram reads and, where the kernel and
 * Netty's native library allow it, segmented (UDP GSO) sends.
 *
 * <p>Immutable; any thread.
 */
public enum UdpTransport {
    /** epoll with recvmmsg/sendmmsg. */
    EPOLL {
        @Override
        public boolean isAvailable() {
            return Epoll.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return Epoll.unavailabilityCause();
        }

        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        public Class<? extends DatagramChannel> datagramChannelClass() {
            return EpollDatagramChannel.class;
        }

        @Override
        public ChannelOption<Integer> maxDatagramPayloadSize() {
            return EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE;
        }

        @Override
        public boolean supportsSegmentedDatagrams() {
            // Netty passes UDP_SEGMENT only through its sendmmsg path, which needs both.
            return EpollDatagramChannel.isSegmentedDatagramPacketSupported();
        }
    },
    /** io_uring, which emulates recvmmsg with linked recvmsg submissions. */
    IO_URING {
        @Override
        public boolean isAvailable() {
            return IoUring.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return IoUring.unavailabilityCause();
        }

        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        public Class<? extends DatagramChannel> datagramChannelClass() {
            return IoUringDatagramChannel.class;
        }

        @Override
        public ChannelOption<Integer> maxDatagramPayloadSize() {
            return IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE;
        }

        @Override
        public boolean supportsSegmentedDatagrams() {
            // Each sendmsg submission carries a UDP_SEGMENT control message when asked to.
            return IoUringDatagramChannel.isSegmentedDatagramPacketSupported();
        }
    };

    /** True when the native library loaded and the kernel supports the transport. */
    public abstract boolean isAvailable();

    /** Why {@link #isAvailable()} is false, or {@code null}. */
    public abstract Throwable unavailabilityCause();

    /** The I/O handler factory for a {@code MultiThreadIoEventLoopGroup} of this transport. */
    public abstract IoHandlerFactory ioHandlerFactory();

    /** The datagram channel class that runs on this transport's event loops. */
    public abstract Class<? extends DatagramChannel> datagramChannelClass();

    /** The option that sets the per-datagram slot size of batched reads. */
    public abstract ChannelOption<Integer> maxDatagramPayloadSize();

    /**
     * True when the transport's datagram channels send a {@code io.netty.channel.unix.SegmentedDatagramPacket}
     * as one UDP GSO send (UDP_SEGMENT): the kernel cuts it into datagrams of the segment size.
     */
    public abstract boolean supportsSegmentedDatagrams();

    /** Throws with the native cause unless the transport is available. */
    public void ensureAvailable() {
        if (!isAvailable()) {
            throw new IllegalStateException(name() + " transport unavailable", unavailabilityCause());
        }
    }

    /** The kernel file descriptor of a channel of this (or any native) transport. */
    public static int fd(Channel channel) {
        if (!(channel instanceof UnixChannel unix)) {
            throw new IllegalArgumentException(channel.getClass().getName() + " is not a native channel");
        }
        return unix.fd().intValue();
    }
}
