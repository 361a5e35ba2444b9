package net.ipsecgw.natt;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;

/**
 * How a lane's UDP socket receives: one buffer of {@code datagramsPerRead} slots of {@code
 * maxDatagramSize} octets each, filled by one recvmmsg (epoll) or one chain of linked recvmsg
 * submissions (io_uring), repeated up to {@code readsPerWakeup} times per readiness event; and how much
 * the kernel may queue for the socket meanwhile.
 *
 * <p>Measured on this project's 2-core machine: a 1400-octet echo loop moves ~360k datagrams/s only
 * with recvmmsg; without it, kernel entry per datagram dominates. A flood of 1400-octet datagrams
 * into two lanes (sender on the same two cores) lost about half of them to the kernel's default
 * receive buffer (208 KiB, about 90 such datagrams) whatever the batching; with 4 MiB, 85-100%
 * arrived. Datagrams longer than {@code
 * maxDatagramSize} are truncated by the kernel and then fail ESP's ICV check, so size it for the
 * largest outer packet the links carry.
 *
 * <p>Immutable; applied once per socket when the group is bound.
 *
 * @param maxDatagramSize octets per datagram slot (at least the path MTU minus IP and UDP headers)
 * @param datagramsPerRead slots per batch, at most 1024 (the kernel's UIO_MAXIOV)
 * @param readsPerWakeup batches read per readiness event before yielding to other channels
 * @param receiveBufferSize SO_RCVBUF in octets, or 0 for the kernel's default; the kernel caps it at
 *     {@code net.core.rmem_max}
 */
public record DatagramBatching(int maxDatagramSize, int datagramsPerRead, int readsPerWakeup, int receiveBufferSize) {
    /**
     * 2048-octet slots (any 1500-MTU datagram), 32 per batch (a 64 KiB buffer), 16 batches per wakeup,
     * a 4 MiB receive buffer.
     */
    public static final DatagramBatching DEFAULT = new DatagramBatching(2048, 32, 16, 4 << 20);

    /** Checks the bounds. */
    public DatagramBatching {
        if (maxDatagramSize < 64 || maxDatagramSize > 65535) {
            throw new IllegalArgumentException("maxDatagramSize must be 64-65535, got " + maxDatagramSize);
        }
        if (datagramsPerRead < 2 || datagramsPerRead > 1024) {
            throw new IllegalArgumentException("datagramsPerRead must be 2-1024, got " + datagramsPerRead);
        }
        if (readsPerWakeup < 1) {
            throw new IllegalArgumentException("readsPerWakeup must be positive, got " + readsPerWakeup);
        }
        if (receiveBufferSize < 0) {
            throw new IllegalArgumentException("receiveBufferSize must be 0 or positive, got " + receiveBufferSize);
        }
    }

    /** Size of the buffer that one batched read fills. */
    public int batchBufferSize() {
        return maxDatagramSize * datagramsPerRead;
    }

    /** Datagrams read per readiness event at most: Netty's {@code maxMessagesPerRead}. */
    public int maxDatagramsPerWakeup() {
        return datagramsPerRead * readsPerWakeup;
    }

    /** Sets the batching options on a bootstrap of {@code transport}'s datagram channels. */
    public Bootstrap applyTo(Bootstrap bootstrap, UdpTransport transport) {
        // The native channels switch to recvmmsg only when the allocator's buffer holds more than one
        // slot of MAX_DATAGRAM_PAYLOAD_SIZE; a fixed allocator keeps that true for every read.
        // Both transports count maxMessagesPerRead in datagrams, not in batches.
        FixedRecvByteBufAllocator allocator = new FixedRecvByteBufAllocator(batchBufferSize());
        allocator.maxMessagesPerRead(maxDatagramsPerWakeup());
        bootstrap.option(transport.maxDatagramPayloadSize(), maxDatagramSize);
        bootstrap.option(ChannelOption.RECVBUF_ALLOCATOR, allocator);
        if (receiveBufferSize > 0) {
            bootstrap.option(ChannelOption.SO_RCVBUF, receiveBufferSize);
            bootstrap.option(ChannelOption.SO_SNDBUF, receiveBufferSize);
        }
        // A lane writes a whole read batch before it flushes (one sendmmsg): the channel must stay
        // writable for that many datagrams, which Netty's default 64 KiB high-water mark is not.
        int batchBytes = maxDatagramsPerWakeup() * maxDatagramSize;
        bootstrap.option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(batchBytes, 2 * batchBytes));
        return bootstrap;
    }
}
