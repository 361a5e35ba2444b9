package net.ipsecgw.natt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * NAT-keepalives (RFC 3948 §2.3, §4): every interval, a one-octet 0xFF datagram to the peer from each
 * local source port in use, so that the NAT in front of us keeps each port's mapping open.
 *
 * <p>Each source channel's keepalive is scheduled on that channel's own event loop, so the write
 * happens on the thread that owns the socket and no lane is interrupted by another. One keepalive
 * allocates one 1-octet buffer, once per interval and port: not a data-path cost.
 *
 * <p>Not done: RFC 3948 §4 lets a peer skip the keepalive when other traffic went to the peer in the
 * interval; that needs the lane's last-send time and is left to the lane that owns the socket.
 *
 * <p>Started and {@linkplain #close() cancelled} from any thread; counters readable from any thread.
 */
public final class NatKeepalives implements AutoCloseable {
    /** The RFC 3948 §4 default: 20 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(20);

    private final List<Future<?>> schedules = new ArrayList<>();
    private final InetSocketAddress peer;
    private final LongAdder sent = new LongAdder();
    private final LongAdder failed = new LongAdder();

    private NatKeepalives(InetSocketAddress peer) {
        this.peer = peer;
    }

    /**
     * Starts sending keepalives to {@code peer} from each of {@code sources} every {@code interval},
     * the first one interval from now.
     */
    public static NatKeepalives start(
            List<? extends DatagramChannel> sources, InetSocketAddress peer, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("keepalive interval must be positive, got " + interval);
        }
        NatKeepalives keepalives = new NatKeepalives(peer);
        long nanos = interval.toNanos();
        for (DatagramChannel source : sources) {
            keepalives.schedules.add(source.eventLoop()
                    .scheduleAtFixedRate(() -> keepalives.send(source), nanos, nanos, TimeUnit.NANOSECONDS));
        }
        return keepalives;
    }

    /** The peer the keepalives go to. */
    public InetSocketAddress peer() {
        return peer;
    }

    /** Keepalives handed to the kernel so far. */
    public long sent() {
        return sent.sum();
    }

    /** Keepalives the kernel refused (e.g. no route), or that found their channel closed. */
    public long failed() {
        return failed.sum();
    }

    /** Stops all keepalives; none is sent after this returns, except one already being written. */
    @Override
    public void close() {
        for (Future<?> schedule : schedules) {
            schedule.cancel(false);
        }
    }

    private void send(DatagramChannel source) {
        if (!source.isActive()) {
            failed.increment();
            return;
        }
        ByteBuf keepalive = source.alloc().buffer(UdpEncapsulation.KEEPALIVE_LENGTH);
        keepalive.writeByte(UdpEncapsulation.KEEPALIVE_OCTET);
        source.writeAndFlush(new DatagramPacket(keepalive, peer)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                sent.increment();
            } else {
                failed.increment();
            }
        });
    }
}
