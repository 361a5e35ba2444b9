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
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.ipsecgw.core.offload.GroCoalescer;
import net.ipsecgw.core.offload.GsoSegmenter;
import net.ipsecgw.core.offload.SegmentSink;
import net.ipsecgw.core.offload.TunOffloadControl;
import net.ipsecgw.core.offload.VirtioNetHeader;
import net.ipsecgw.core.red.RedQueue;
import net.ipsecgw.core.spd.Spd;
import net.ipsecgw.core.tun.TunPacketHandler;
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
 *             --selectors--> red queue write (TUN queue or traffic sink)
 *             IKE --marker stripped--> IkeSink (control loop), or counted as not handled
 *             keepalive --> counted
 *
 *  outbound (red to black), {@link #packetReceived(ByteBuf)} from the lane's TUN queue or generator:
 *    IP packet --SPD (longest prefix)--> tunnel --own SA, else fallback SA, else NO_SA drop
 *             (no own SA: acquire, at most once a second) --OutboundSa.encapsulate in place-->
 *             socket write (with GSO: runs to one peer gathered into segmented sends, GsoBatcher)
 *             --(once per read batch)--> flush: one sendmmsg for the batch
 *
 *  housekeeping, once a period on the same thread: SA time limits, inbound activity samples
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
    private final Runnable housekeeping = this::housekeeping;
    private volatile Tables tables = Tables.EMPTY;
    private volatile IkeSink ikeSink;
    private RedQueue tun;

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

    /**
     * An inbound SA, the tunnel it belongs to (this lane's view) and the record of its last activity.
     *
     * @param sa the SA, owned by this lane
     * @param tunnel this lane's view of the SA's tunnel
     * @param activity when the SA last decrypted a packet
     */
    public record Inbound(InboundSa sa, TunnelLane tunnel, InboundActivity activity) {
        /** An inbound SA with a fresh activity record. */
        public Inbound(InboundSa sa, TunnelLane tunnel) {
            this(sa, tunnel, new InboundActivity());
        }
    }

    /**
     * Receives the IKE messages that arrive on this lane's sockets (RFC 3948 §2.2), the non-ESP marker
     * already removed. Called on the lane's thread; it must hand the message on without blocking.
     */
    @FunctionalInterface
    public interface IkeSink {
        /** Takes ownership of {@code message}. */
        void ikeReceived(ByteBuf message, InetSocketAddress local, InetSocketAddress remote);
    }

    /** Bytes kept free before and after each segment: at least ESP's headroom and tailroom. */
    private static final int SEGMENT_ROOM = 64;

    private final int receiveSlot;
    /** With TUN offload: the header of the packet being read, and its segmenter; else null. */
    private final VirtioNetHeader vnetHeader;

    private final GsoSegmenter segmenter;
    private final SegmentSink encryptAndSend = this::outbound;
    /** With TUN offload: merges decrypted TCP segments (and UDP datagrams) into super-packets. */
    private final GroCoalescer coalescer;

    /**
     * With UDP GSO: gathers the ESP packets of a read batch into segmented sends; else null. Set by the
     * constructor only.
     */
    private GsoBatcher gso;

    /** Lane {@code index} on {@code loop}, for datagrams of any size. */
    public Lane(int index, IoEventLoop loop) {
        this(index, loop, Integer.MAX_VALUE);
    }

    /**
     * Lane {@code index} on {@code loop} whose sockets receive into slots of {@code receiveSlot} bytes: a
     * datagram that fills a slot may have been truncated and is dropped as {@link PathDrop#OVERSIZED}.
     */
    public Lane(int index, IoEventLoop loop, int receiveSlot) {
        this(index, loop, receiveSlot, 0);
    }

    /**
     * As {@link #Lane(int, IoEventLoop, int)}; with {@code tunOffloads} other than 0 (the
     * {@code TUNSETOFFLOAD} flags in effect on the device, {@link TunOffloadControl#enableOffload(int)})
     * the lane's TUN queue carries a virtio-net header before every packet: TCP and UDP super-packets
     * read from it are cut into segments before encryption, and decrypted packets are written to it
     * as TCP super-packets, UDP super-packets too when the flags include USO, or alone behind an empty
     * header.
     */
    public Lane(int index, IoEventLoop loop, int receiveSlot, int tunOffloads) {
        this.index = index;
        this.loop = loop;
        this.receiveSlot = receiveSlot;
        boolean tunOffload = tunOffloads != 0;
        this.vnetHeader = tunOffload ? new VirtioNetHeader() : null;
        this.segmenter = tunOffload
                // segments get the same room around them as packets read from the TUN queue
                ? new GsoSegmenter(PooledByteBufAllocator.DEFAULT, SEGMENT_ROOM, SEGMENT_ROOM)
                : null;
        this.coalescer = tunOffload
                ? new GroCoalescer(
                        PooledByteBufAllocator.DEFAULT,
                        64,
                        TunOffloadControl.udpSegmentation(tunOffloads),
                        this::writeToTun)
                : null;
    }

    /**
     * As {@link #Lane(int, IoEventLoop, int, int)}; with {@code gso} consecutive ESP packets of a read
     * batch to one peer from one socket, of one length (the last may be shorter), leave as one UDP GSO
     * send ({@link GsoBatcher}). The lane's sockets must then allow UDP_SEGMENT (no SO_NO_CHECK).
     */
    public Lane(int index, IoEventLoop loop, int receiveSlot, int tunOffloads, boolean gso) {
        this(index, loop, receiveSlot, tunOffloads);
        this.gso = gso ? new GsoBatcher(PooledByteBufAllocator.DEFAULT, counters) : null;
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

    /** Attaches the lane's red side (its TUN queue or traffic sink). Lane thread. */
    public void attach(RedQueue redQueue) {
        this.tun = redQueue;
    }

    /**
     * Hands IKE messages arriving on this lane's sockets to {@code sink} from now on (null: count them as
     * {@link PathDrop#IKE_NOT_HANDLED} and drop them). Any thread.
     */
    public void ikeSink(IkeSink sink) {
        this.ikeSink = sink;
    }

    /**
     * Checks the SAs' time limits and samples inbound activity every {@code periodNanos} on the lane's
     * thread, so that time limits fire even when no packet flows. Any thread; call once.
     */
    public void startHousekeeping(long periodNanos) {
        loop.scheduleAtFixedRate(housekeeping, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    private void housekeeping() {
        long now = System.nanoTime();
        Tables current = tables;
        for (Inbound in : current.sad().values()) {
            in.sa().checkTime(now);
            in.activity().sample(in.sa(), now);
        }
        for (TunnelLane tunnel : current.spdTargets()) {
            checkTime(tunnel.own(), now);
            checkTime(tunnel.fallback(), now);
        }
    }

    private static void checkTime(TunnelLane.Sender sender, long now) {
        if (sender != null) {
            sender.sa().checkTime(now);
        }
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
        TunnelLane.Sender sender = tunnel.sender();
        if (sender == null || sender != tunnel.own()) {
            tunnel.acquire().fire(); // on the fallback SA or without any: ask for an SA of our own
            if (sender == null) {
                drop(packet, PathDrop.NO_SA);
                return;
            }
        }
        int innerBytes = packet.readableBytes();
        int version = packet.getUnsignedByte(packet.readerIndex()) >>> 4;
        DropReason reason =
                sender.sa().encapsulate(packet, version == 6 ? EspSa.NEXT_HEADER_IPV6 : EspSa.NEXT_HEADER_IPV4);
        if (reason != DropReason.NONE) {
            counters.drop(reason);
            packet.release();
            return;
        }
        Channel channel = sender.channel();
        if (!channel.isWritable()) {
            if (gso != null) {
                gso.writeRun(); // the run gathered so far is part of the batch so far
            }
            channel.flush(); // hand the batch so far to the kernel before giving up on this packet
            if (!channel.isWritable()) {
                drop(packet, PathDrop.SEND_BACKLOG);
                return;
            }
        }
        if (gso != null) {
            gso.add(channel, sender.peer(), packet); // written when its run ends, at the latest in flushPending
        } else {
            channel.write(new DatagramPacket(packet, sender.peer()), channel.voidPromise());
        }
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
        if (gso != null) {
            gso.writeRun(); // the read batch has ended, and with it the run
        }
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

    private void ike(DatagramPacket datagram) {
        counters.ikeReceived();
        IkeSink sink = ikeSink;
        if (sink == null) {
            counters.drop(PathDrop.IKE_NOT_HANDLED);
            datagram.release();
            return;
        }
        ByteBuf message = datagram.content();
        Port4500Demux.skipNonEspMarker(message);
        sink.ikeReceived(message, datagram.recipient(), datagram.sender());
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
                case IKE -> ike(datagram);
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
            // A socket error (a refused send, an ICMP error surfaced by the kernel) must not close the
            // lane: counted, and the socket goes on.
            counters.drop(PathDrop.SOCKET_ERROR);
        }
    }
}
