package net.ipsecgw.core.red;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.core.tun.TunPacketHandler;

/**
 * A lane's red side without TUN: an in-process traffic source and sink on the lane's own thread, so a
 * gateway runs without root, routes or CAP_NET_ADMIN (the appliance's demo profile, tests).
 *
 * <pre>
 *  source: timer on the lane's loop (every 10 ms) --token bucket, rate per lane-->
 *          pooled direct buffer [headroom | IPv4/UDP packet of flow f, seq n | tailroom] --> lane.packetReceived
 *          (flows lane*F .. lane*F+F-1 round robin; addresses inside the local and remote prefixes)
 *  sink:   lane --write(decrypted packet)--> check length, magic, checksum --> per-flow order --> release
 * </pre>
 *
 * <p>Owned by the lane's event loop thread. The counters may be read from any thread; {@link #pause()}
 * and {@link #resume()} may be called from any thread.
 */
public final class TrafficGenerator implements RedQueue {
    /** Room kept before and after each packet, as a TUN read leaves it, for ESP in place. */
    static final int ROOM = 64;

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The sink follows the order of at most this many flows (flow ids are folded onto it). */
    private static final int TRACKED_FLOWS = 1 << 16;

    private static final int SENT = 0;
    private static final int RECEIVED = 1;
    private static final int RECEIVED_BYTES = 2;
    private static final int BAD = 3;
    private static final int OUT_OF_ORDER = 4;

    private final int lane;
    private final EventLoop loop;
    private final TunPacketHandler handler;
    private final ByteBufAllocator allocator;
    private final int localBase;
    private final int localHosts;
    private final int remoteBase;
    private final int remoteHosts;
    private final int flows;
    private final int rate;
    private final int size;
    private final long[] nextSeq;
    private final long[] lastSeen = new long[TRACKED_FLOWS];
    private final AtomicLongArray counters = new AtomicLongArray(5);
    private volatile boolean paused;
    private double tokens;
    private long lastTickNanos;
    private int nextFlow;

    /**
     * A generator for lane {@code lane} feeding {@code handler} on {@code loop}.
     *
     * @param local the prefix the packets come from (inside the tunnel's local selectors)
     * @param remote the prefix they go to (inside its remote selectors)
     * @param flows distinct flows this lane sends
     * @param rate packets per second this lane sends (0: sink only)
     * @param size bytes per IP packet, at least {@link GeneratedPacket#MIN_SIZE}
     */
    public TrafficGenerator(
            int lane,
            EventLoop loop,
            TunPacketHandler handler,
            ByteBufAllocator allocator,
            IpPrefix local,
            IpPrefix remote,
            int flows,
            int rate,
            int size) {
        if (!local.isIpv4() || !remote.isIpv4()) {
            throw new IllegalArgumentException("the generator sends IPv4 only: " + local + ", " + remote);
        }
        if (size < GeneratedPacket.MIN_SIZE || flows < 1 || rate < 0) {
            throw new IllegalArgumentException("size " + size + ", flows " + flows + ", rate " + rate);
        }
        this.lane = lane;
        this.loop = loop;
        this.handler = handler;
        this.allocator = allocator;
        this.localBase = local.ipv4();
        this.localHosts = 32 - local.length();
        this.remoteBase = remote.ipv4();
        this.remoteHosts = 32 - remote.length();
        this.flows = flows;
        this.rate = rate;
        this.size = size;
        this.nextSeq = new long[flows];
    }

    /** Starts sending (nothing happens with rate 0). Any thread; call once. */
    public void start() {
        if (rate > 0) {
            loop.execute(() -> lastTickNanos = System.nanoTime());
            loop.scheduleAtFixedRate(this::tick, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops sending until {@link #resume()}; the sink keeps counting. Any thread. */
    public void pause() {
        paused = true;
    }

    /** Sends again at the configured rate, without a burst for the paused time. Any thread. */
    public void resume() {
        paused = false;
    }

    private void tick() {
        long now = System.nanoTime();
        long elapsed = now - lastTickNanos;
        lastTickNanos = now;
        if (paused) {
            tokens = 0;
            return;
        }
        // At most a tenth of a second's worth at once: a stalled loop does not turn into a flood.
        tokens = Math.min(tokens + elapsed * (rate / 1e9), Math.max(1.0, rate / 10.0));
        while (tokens >= 1.0) {
            tokens -= 1.0;
            emit();
        }
    }

    private void emit() {
        int index = nextFlow;
        nextFlow = index + 1 == flows ? 0 : index + 1;
        int flow = lane * flows + index;
        long seq = ++nextSeq[index];
        ByteBuf packet = allocator.directBuffer(ROOM + size + ROOM);
        packet.setIndex(ROOM, ROOM);
        GeneratedPacket.write(
                packet, size, host(localBase, localHosts, flow), host(remoteBase, remoteHosts, flow), flow, seq);
        add(SENT, 1);
        handler.packetReceived(packet);
    }

    /** Address {@code flow} of a prefix with {@code hostBits} host bits, avoiding network and broadcast. */
    private static int host(int base, int hostBits, int flow) {
        if (hostBits == 0) {
            return base;
        }
        if (hostBits == 1) {
            return base | (flow & 1);
        }
        int usable = (1 << Math.min(hostBits, 16)) - 2;
        return base + 1 + flow % usable;
    }

    /** The sink: counts and checks a decrypted packet, then releases it. Lane thread. */
    @Override
    public boolean write(ByteBuf packet) {
        try {
            if (!GeneratedPacket.isIntact(packet)) {
                add(BAD, 1);
                return true;
            }
            int flow = GeneratedPacket.flow(packet) & (TRACKED_FLOWS - 1);
            long seq = GeneratedPacket.sequence(packet);
            if (seq <= lastSeen[flow]) {
                add(OUT_OF_ORDER, 1);
            } else {
                lastSeen[flow] = seq;
            }
            add(RECEIVED, 1);
            add(RECEIVED_BYTES, packet.readableBytes());
            return true;
        } finally {
            packet.release();
        }
    }

    private void add(int counter, long delta) {
        counters.setOpaque(counter, counters.getPlain(counter) + delta);
    }

    /** The lane this generator feeds. */
    public int lane() {
        return lane;
    }

    /** Packets handed to the lane for encryption. */
    public long sent() {
        return counters.getOpaque(SENT);
    }

    /** Intact packets the sink received (in order or not). */
    public long received() {
        return counters.getOpaque(RECEIVED);
    }

    /** Bytes of intact packets the sink received. */
    public long receivedBytes() {
        return counters.getOpaque(RECEIVED_BYTES);
    }

    /** Packets that were not intact generated packets (damaged, truncated, foreign). */
    public long bad() {
        return counters.getOpaque(BAD);
    }

    /** Intact packets whose sequence number was not above the last one seen of their flow on this lane. */
    public long outOfOrder() {
        return counters.getOpaque(OUT_OF_ORDER);
    }
}
