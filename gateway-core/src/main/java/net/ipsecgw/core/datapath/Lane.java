package net.ipsecgw.core.datapath;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.IoEventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.core.offload.TcpCoalescer;
import net.ipsecgw.core.offload.TcpSegmenter;
import net.ipsecgw.core.offload.VirtioNetHeader;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.core.tun.TunPacketHandler;
import net.ipsecgw.core.tun.TunQueueIo;
import net.ipsecgw.esp.DropReason;
import net.ipsecgw.esp.EspSa;
import net.ipsecgw.esp.InboundSa;
import net.ipsecgw.natt.DropCounters;
import net.ipsecgw.natt.Port4500Demux;
import net.ipsecgw.natt.Port4500Verdict;

/**
 * A lane: one CPU's share of the data path. Everything here runs on the lane's event loop thread;
 * the control plane changes it only by submitting {@link #install(Tables)} to that loop.
 *
 * <pre>
 *  inbound (black to red), {@link #blackHandler()} on the lane's port-4500 socket:
 *    datagram --demux--> ESP --SAD[SPI]--> InboundSa.decapsulate (replay check, AEAD open, window)
 *             --selectors--> TUN queue write            (IKE -> control plane, keepalive -> counted)
 *
 *  outbound (red to black), {@link #packetReceived(ByteBuf)} from the lane's TUN queue:
 *    IP packet --SPD (longest prefix)--> tunnel --OutboundSa.encapsulate in place--> socket write
 *             --(once per read batch)--> flush: one sendmmsg for the batch
 * </pre>
 *
 * Every drop is counted by reason in {@link #counters()}; nothing throws into the event loop.
 */
public final class Lane implements TunPacketHandler {
    private final int index;
    private final IoEventLoop loop;
    private final LaneCounters counters = new LaneCounters();
    private final DropCounters demuxDrops = new DropCounters();
    private final List<Channel> toFlush = new ArrayList<>(2);
    private final Runnable flush = this::flushPending;
    private final ChannelHandler blackHandler = new BlackHandler();
    private volatile Tables tables = Tables.EMPTY;
    private TunQueueIo tun;

    /**
     * What a lane looks up per packet. Immutable once published; replaced whole.
     *
     * @param spd outbound: which tunnel protects a packet
     * @param sad inbound: SPI to SA and tunnel
     * @param spdTargets every tunnel the SPD leads to (for status and lifetime checks)
     */
    public record Tables(Spd<TunnelLane> spd, IntObjectHashMap<Inbound> sad, List<TunnelLane> spdTargets) {
        static final Tables EMPTY = new Tables(Spd.empty(), new IntObjectHashMap<>(), List.of());

        /** Copies the target list; the caller hands the tables over and keeps no reference. */
        public Tables {
            spdTargets = List.copyOf(spdTargets);
        }
    }

    /** An inbound SA and the tunnel it belongs to. */
    public record Inbound(InboundSa sa, TunnelLane tunnel) {}

    /** Bytes kept free before and after each segment: at least ESP's headroom and tailroom. */
    private static final int SEGMENT_ROOM = 64;

    private final int receiveSlot;
    /** With TUN offload: the header of the packet being read, and its segmenter; else null. */
    private final VirtioNetHeader vnetHeader;

    private final TcpSegmenter segmenter;
    private final TcpSegmenter.SegmentSink encryptAndSend = this::outbound;
    /** With TUN offload: merges decrypted TCP segments into super-packets, one TUN write each. */
    private final TcpCoalescer coalescer;

    /** Lane {@code index} on {@code loop}, for datagrams of any size. */
    public Lane(int index, IoEventLoop loop) {
        this(index, loop, Integer.MAX_VALUE);
    }

    /**
     * Lane {@code index} on {@code loop} whose sockets receive into slots of {@code receiveSlot} bytes: a
     * datagram that fills a slot may have been truncated and is dropped as {@link PathDrop#OVERSIZED}.
     */
    public Lane(int index, IoEventLoop loop, int receiveSlot) {
        this(index, loop, receiveSlot, false);
    }

    /**
     * As {@link #Lane(int, IoEventLoop, int)}; with {@code tunOffload} the lane's TUN queue carries a
     * virtio-net header before every packet: TCP super-packets read from it are cut into segments
     * before encryption, and every packet written to it gets an empty header.
     */
    public Lane(int index, IoEventLoop loop, int receiveSlot, boolean tunOffload) {
        this.index = index;
        this.loop = loop;
        this.receiveSlot = receiveSlot;
        this.vnetHeader = tunOffload ? new VirtioNetHeader() : null;
        this.segmenter = tunOffload
                // segments get the same room around them as packets read from the TUN queue
                ? new TcpSegmenter(PooledByteBufAllocator.DEFAULT, SEGMENT_ROOM, SEGMENT_ROOM)
                : null;
        this.coalescer = tunOffload ? new TcpCoalescer(PooledByteBufAllocator.DEFAULT, 64, this::writeToTun) : null;
    }

    /** The lane number (socket index in the reuseport group, TUN queue index). */
    public int index() {
        return index;
    }

    /** The lane's event loop. */
    public IoEventLoop eventLoop() {
        return loop;
    }

    /** The lane's counters (any thread may read them). */
    public LaneCounters counters() {
        return counters;
    }

    /** Drops by the port-4500 demultiplexer (malformed datagrams). */
    public DropCounters demuxDrops() {
        return demuxDrops;
    }

    /** The tables in use (any thread; for status and metrics). */
    public Tables tables() {
        return tables;
    }

    /** The handler of this lane's port-4500 socket. */
    public ChannelHandler blackHandler() {
        return blackHandler;
    }

    /** Attaches the lane's TUN queue. Lane thread. */
    public void attach(TunQueueIo tunQueue) {
        this.tun = tunQueue;
    }

    /** Replaces the lane's tables. Lane thread (submit it to {@link #eventLoop()}). */
    public void install(Tables next) {
        assert loop.inEventLoop();
        this.tables = next;
    }

    @Override
    public void packetReceived(ByteBuf packet) {
        if (vnetHeader == null) {
            outbound(packet);
            return;
        }
        if (packet.readableBytes() < VirtioNetHeader.SIZE) {
            drop(packet, PathDrop.BAD_OFFLOAD);
            return;
        }
        vnetHeader.decode(packet, packet.readerIndex());
        packet.skipBytes(VirtioNetHeader.SIZE);
        if (segmenter.segment(vnetHeader, packet, encryptAndSend) < 0) {
            counters.drop(PathDrop.BAD_OFFLOAD); // the segmenter released the packet
        }
    }

    private void outbound(ByteBuf packet) {
        TunnelLane tunnel = tables.spd().lookup(packet, packet.readerIndex());
        if (tunnel == null) {
            drop(packet, PathDrop.NO_POLICY);
            return;
        }
        int innerBytes = packet.readableBytes();
        int version = packet.getUnsignedByte(packet.readerIndex()) >>> 4;
        DropReason reason =
                tunnel.outbound().encapsulate(packet, version == 6 ? EspSa.NEXT_HEADER_IPV6 : EspSa.NEXT_HEADER_IPV4);
        if (reason != DropReason.NONE) {
            counters.drop(reason);
            packet.release();
            return;
        }
        Channel channel = tunnel.channel();
        if (!channel.isWritable()) {
            channel.flush(); // hand the batch so far to the kernel before giving up on this packet
            if (!channel.isWritable()) {
                drop(packet, PathDrop.SEND_BACKLOG);
                return;
            }
        }
        channel.write(new DatagramPacket(packet, tunnel.peer()), channel.voidPromise());
        counters.sent(innerBytes);
        scheduleFlush(channel);
    }

    private void scheduleFlush(Channel channel) {
        if (!toFlush.contains(channel)) {
            toFlush.add(channel);
            if (toFlush.size() == 1) {
                loop.execute(flush); // runs after this read batch: one flush (sendmmsg) per batch
            }
        }
    }

    private void flushPending() {
        for (int i = 0; i < toFlush.size(); i++) {
            toFlush.get(i).flush();
        }
        toFlush.clear();
    }

    private void inbound(DatagramPacket datagram) {
        ByteBuf payload = datagram.content();
        Inbound binding = tables.sad().get(Port4500Demux.spi(payload));
        if (binding == null) {
            counters.drop(DropReason.UNKNOWN_SPI);
            datagram.release();
            return;
        }
        DropReason reason = binding.sa().decapsulate(payload);
        if (reason != DropReason.NONE) {
            counters.drop(reason);
            datagram.release();
            return;
        }
        if (!binding.tunnel().admits(payload)) {
            drop(payload, PathDrop.POLICY_MISMATCH);
            return;
        }
        counters.received(payload.readableBytes());
        if (coalescer != null) {
            coalescer.add(payload); // written when the read batch ends (channelReadComplete)
        } else {
            writeToTun(payload);
        }
    }

    private void writeToTun(ByteBuf packet) {
        if (tun == null) {
            drop(packet, PathDrop.TUN_WRITE_FAILED);
        } else if (!tun.write(packet)) {
            counters.drop(PathDrop.TUN_WRITE_FAILED);
        }
    }

    private void drop(ByteBuf packet, PathDrop reason) {
        counters.drop(reason);
        packet.release();
    }

    /** Reads the lane's sockets (port 4500 and its source port): all on the lane's own thread. */
    @ChannelHandler.Sharable
    private final class BlackHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof DatagramPacket datagram)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (datagram.content().readableBytes() >= receiveSlot) {
                counters.drop(PathDrop.OVERSIZED);
                datagram.release();
                return;
            }
            Port4500Verdict verdict = Port4500Demux.classify(datagram.content());
            switch (verdict) {
                case ESP -> inbound(datagram);
                case IKE -> {
                    counters.ikeReceived();
                    counters.drop(PathDrop.IKE_NOT_HANDLED);
                    datagram.release();
                }
                case KEEPALIVE -> {
                    counters.keepalive();
                    datagram.release();
                }
                default -> {
                    demuxDrops.increment(verdict.dropReason());
                    datagram.release();
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (coalescer != null) {
                coalescer.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A socket error (e.g. ICMP port unreachable surfaced by the kernel) must not close the lane.
        }
    }
}
