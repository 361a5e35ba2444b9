package net.ipsecgw.core.datapath;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.net.InetSocketAddress;

/**
 * Gathers a lane's ESP datagrams into UDP GSO sends (UDP_SEGMENT): consecutive datagrams to one peer
 * from one socket, of one length (the last may be shorter), are copied one after another into one
 * pooled direct buffer and written as one {@link SegmentedDatagramPacket} whose segment size is that
 * length; the kernel sends it as one skb and it becomes separate datagrams again at the NIC (or in
 * software, at the latest at the receiving socket).
 *
 * <pre>
 *  add(esp) --same channel, peer, length &lt;= the run's--> appended to the run
 *           --otherwise--> the run is written, esp starts a new one
 *  a run ends (is written, not flushed) on: a shorter datagram (which it takes as its last), 64
 *  segments, no room for one more segment in 65,507 octets, or {@link #writeRun()} at the end of the
 *  read batch
 *  a run of one datagram is written as it is, as a plain {@link DatagramPacket}: nothing copied
 * </pre>
 *
 * <p>Each datagram that joins a run of two or more is copied once into the run's buffer (the first one
 * when the second arrives); the lane encrypts in place before, as without GSO. No allocation per
 * datagram: the run's buffer is pooled and allocated once per run, with the packet object that carries
 * it.
 *
 * <p>Owned by one lane's thread.
 */
final class GsoBatcher {
    /** Segments per send at most: the kernel's UDP_MAX_SEGMENTS (a larger send fails with EINVAL). */
    static final int MAX_SEGMENTS = 64;

    /** Octets per send at most: the largest UDP payload of an IPv4 datagram (65,535 - 20 - 8). */
    static final int MAX_BYTES = 65_507;

    private final ByteBufAllocator allocator;
    private final LaneCounters counters;
    private Channel channel;
    private InetSocketAddress peer;
    /** The run's only datagram until a second one joins, else null. */
    private ByteBuf first;
    /** The run's datagrams one after another, once it has two; else null. */
    private ByteBuf run;

    private int segmentSize;
    private int segments;

    /** A batcher that allocates run buffers from {@code allocator} and counts its sends in {@code counters}. */
    GsoBatcher(ByteBufAllocator allocator, LaneCounters counters) {
        this.allocator = allocator;
        this.counters = counters;
    }

    /**
     * Adds one ESP datagram (its readable bytes) for {@code peer} from {@code channel} and takes
     * ownership of it. Writes, without flushing, the run it ends; the caller flushes {@code channel}
     * later.
     */
    void add(Channel channel, InetSocketAddress peer, ByteBuf esp) {
        int length = esp.readableBytes();
        if (segments > 0 && !(channel == this.channel && length <= segmentSize && samePeer(peer))) {
            writeRun();
        }
        if (segments == 0) {
            this.channel = channel;
            this.peer = peer;
            this.first = esp;
            this.segmentSize = length;
            this.segments = 1;
        } else {
            append(esp, length);
        }
        if (length < segmentSize || segments == MAX_SEGMENTS || (segments + 1) * segmentSize > MAX_BYTES) {
            writeRun();
        }
    }

    private boolean samePeer(InetSocketAddress other) {
        return other == peer || other.equals(peer);
    }

    private void append(ByteBuf esp, int length) {
        if (run == null) {
            int capacity = Math.min(MAX_SEGMENTS * segmentSize, MAX_BYTES);
            run = allocator.directBuffer(capacity, capacity);
            copy(first, segmentSize, run);
            first.release();
            first = null;
        }
        copy(esp, length, run);
        esp.release();
        segments++;
    }

    /**
     * Appends {@code length} readable bytes of {@code from} to {@code to}. Through the buffers' cached NIO
     * views, as one memory copy: {@code ByteBuf.writeBytes} between two pooled direct buffers without
     * Netty's Unsafe access allocates about 128 bytes per call (NIO buffer duplicates).
     */
    private static void copy(ByteBuf from, int length, ByteBuf to) {
        int at = to.writerIndex();
        if (from.nioBufferCount() == 1) {
            to.internalNioBuffer(at, length).put(from.internalNioBuffer(from.readerIndex(), length));
            to.writerIndex(at + length);
        } else {
            to.writeBytes(from, from.readerIndex(), length);
        }
    }

    /**
     * Writes the run gathered so far, if any, to its channel without flushing it: one {@link
     * SegmentedDatagramPacket}, or a plain {@link DatagramPacket} for a run of one.
     */
    void writeRun() {
        if (segments == 0) {
            return;
        }
        Channel target = channel;
        if (run == null) {
            target.write(new DatagramPacket(first, peer), target.voidPromise());
            first = null;
        } else {
            target.write(new SegmentedDatagramPacket(run, segmentSize, peer), target.voidPromise());
            run = null;
            counters.gsoSent(segments);
        }
        channel = null;
        peer = null;
        segments = 0;
    }
}
