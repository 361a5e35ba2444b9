package net.ipsecgw.ike.sa;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.IkeSettings;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.IkeHeader;

/**
 * Two gateways' IKE control planes in one test: A at 10.0.0.1 and B at 10.0.0.2, each with its own
 * recording data path, sharing virtual time and a wire that delivers datagrams in order, one at a
 * time, so a test can drop, duplicate or reorder them. Randomness is seeded: every run is the same.
 */
final class TwoPeers {
    static final String PSK = "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    static final InetAddress A = address("10.0.0.1");
    static final InetAddress B = address("10.0.0.2");
    private static final UnpooledByteBufAllocator TRACKED = new UnpooledByteBufAllocator(true);

    final VirtualTimers timers = new VirtualTimers();
    final Deque<RecordingDataPlane.Datagram> wire = new ArrayDeque<>();
    final List<RecordingDataPlane.Datagram> delivered = new ArrayList<>();
    final RecordingDataPlane planeA;
    final RecordingDataPlane planeB;
    final IkeDaemon a;
    final IkeDaemon b;
    final List<String> events = new ArrayList<>();
    /** Datagrams for which this returns true are lost. */
    Predicate<RecordingDataPlane.Datagram> drop = d -> false;
    /** Sees each datagram that is not lost just before it is delivered. */
    Consumer<RecordingDataPlane.Datagram> beforeDelivery = d -> {};
    /** Sees each datagram that is not lost just after it was delivered. */
    Consumer<RecordingDataPlane.Datagram> afterDelivery = d -> {};
    /** The NATs every datagram crosses before delivery (none by default). */
    final List<Nat> nats = new ArrayList<>();

    TwoPeers(int lanesA, int lanesB, ConnectionConfig atA, ConnectionConfig atB) {
        this(lanesA, lanesB, atA, atB, IkeSettings.defaults());
    }

    TwoPeers(int lanesA, int lanesB, ConnectionConfig atA, ConnectionConfig atB, IkeSettings settings) {
        planeA = new RecordingDataPlane(lanesA, 1, wire::add);
        planeB = new RecordingDataPlane(lanesB, 2, wire::add);
        a = new IkeDaemon(context(planeA, A, 11, settings), List.of(atA));
        b = new IkeDaemon(context(planeB, B, 22, settings), List.of(atB));
        a.start();
        b.start();
    }

    private IkeContext context(RecordingDataPlane plane, InetAddress address, long seed, IkeSettings settings) {
        IkeEvents recorder = new IkeEvents() {
            @Override
            public void log(IkeSa sa, String message) {
                events.add(address.getHostAddress() + ": " + message);
            }

            @Override
            public void exchange(IkeSa sa, ExchangeType type, boolean asInitiator, String result) {
                events.add(
                        address.getHostAddress() + ": " + type + (asInitiator ? " initiated " : " answered ") + result);
            }
        };
        return new IkeContext(plane, timers, seeded(seed), settings, address, 500, 4500, recorder);
    }

    static SecureRandom seeded(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Delivers datagrams until none is left (bounded), without moving time. */
    void deliverAll() {
        for (int i = 0; i < 10_000 && !wire.isEmpty(); i++) {
            deliver(wire.poll());
        }
    }

    /** Delivers one datagram. */
    void deliver(RecordingDataPlane.Datagram sent) {
        RecordingDataPlane.Datagram datagram = sent;
        for (Nat nat : nats) {
            datagram = nat.translate(datagram);
            if (datagram == null) {
                return; // no mapping: the NAT drops it
            }
        }
        if (drop.test(datagram)) {
            return;
        }
        beforeDelivery.accept(datagram);
        delivered.add(datagram);
        receiver(datagram).ikeReceived(Unpooled.wrappedBuffer(datagram.bytes()), datagram.to(), datagram.from());
        afterDelivery.accept(datagram);
    }

    /**
     * A NAT in front of the peer at {@code inside}: what it sends leaves from {@code outside}, port + the
     * current offset; what arrives at {@code outside} goes to {@code inside}, port - the offset. With
     * offset 0 it keeps the ports (so the IKE and NAT-T ports are forwarded to the peer behind it).
     */
    static final class Nat {
        final InetAddress inside;
        final InetAddress outside;
        int portOffset;

        Nat(InetAddress inside, InetAddress outside, int portOffset) {
            this.inside = inside;
            this.outside = outside;
            this.portOffset = portOffset;
        }

        RecordingDataPlane.Datagram translate(RecordingDataPlane.Datagram d) {
            InetSocketAddress from = d.from();
            InetSocketAddress to = d.to();
            if (from.getAddress().equals(inside)) {
                from = at(outside, from.getPort() + portOffset);
            }
            if (to.getAddress().equals(outside)) {
                int port = to.getPort() - portOffset;
                if (port <= 0 || port > 65535) {
                    return null;
                }
                to = at(inside, port);
            }
            return new RecordingDataPlane.Datagram(d.bytes(), from, to);
        }
    }

    /** The daemon a datagram is addressed to. */
    IkeDaemon receiver(RecordingDataPlane.Datagram datagram) {
        return datagram.to().getAddress().equals(A) ? a : b;
    }

    /**
     * Hands {@code bytes} to the receiver of {@code envelope} as if they had arrived in its place, in a
     * direct buffer from a leak-tracked allocator, and checks that the daemon released it. Not recorded
     * in {@link #delivered}; no hook sees it.
     */
    void inject(RecordingDataPlane.Datagram envelope, byte[] bytes) {
        inject(envelope, bytes, true);
    }

    /** As {@link #inject(RecordingDataPlane.Datagram, byte[])}; untracked, the bytes are wrapped (faster). */
    void inject(RecordingDataPlane.Datagram envelope, byte[] bytes, boolean tracked) {
        ByteBuf buffer = tracked || bytes.length == 0 // an empty wrapped array is a shared, unreleasable buffer
                ? TRACKED.directBuffer(Math.max(1, bytes.length)).writeBytes(bytes)
                : Unpooled.wrappedBuffer(bytes);
        receiver(envelope).ikeReceived(buffer, envelope.to(), envelope.from());
        if (buffer.refCnt() != 0) {
            throw new AssertionError("the daemon did not release a datagram of " + bytes.length + " bytes");
        }
    }

    /** Takes the datagrams sent since the wire held {@code size}, leaving the older ones. */
    List<RecordingDataPlane.Datagram> takeSentSince(int size) {
        Deque<RecordingDataPlane.Datagram> newer = new ArrayDeque<>();
        while (wire.size() > size) {
            newer.addFirst(wire.pollLast());
        }
        return List.copyOf(newer);
    }

    /** Closes both daemons (their IKE SAs are deleted, their buffers released); what they send is dropped. */
    void close() {
        a.close();
        b.close();
        wire.clear();
    }

    /** Moves virtual time in one-second steps, delivering after each. */
    void run(Duration duration) {
        deliverAll();
        for (long s = 0; s < duration.toSeconds(); s++) {
            timers.advance(Duration.ofSeconds(1));
            deliverAll();
        }
    }

    /**
     * Checks that both sides hold the same pairs: each of A's has B's mirror (SPIs and keys crossed,
     * selectors swapped), and B has no other.
     */
    void assertPairsMirror() {
        if (planeA.installed.size() != planeB.installed.size()) {
            throw new AssertionError("A has " + planeA.installed.size() + " pairs, B " + planeB.installed.size());
        }
        for (ChildSaSpec mine : planeA.installed.values()) {
            ChildSaSpec theirs = planeB.installed.values().stream()
                    .filter(s -> s.inboundSpi() == mine.outboundSpi() && s.outboundSpi() == mine.inboundSpi())
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("B has no mirror of A's " + mine));
            boolean mirrored = mine.outboundKey().equals(theirs.inboundKey())
                    && mine.inboundKey().equals(theirs.outboundKey())
                    && mine.isFallback() == theirs.isFallback()
                    && mine.localTs().equals(theirs.remoteTs());
            if (!mirrored) {
                throw new AssertionError("A's " + mine + " and B's " + theirs + " do not mirror");
            }
        }
    }

    static ExchangeType exchange(RecordingDataPlane.Datagram d) {
        return ExchangeType.valueOf(d.bytes()[18] & 0xff);
    }

    static boolean isResponse(RecordingDataPlane.Datagram d) {
        return (d.bytes()[19] & IkeHeader.FLAG_RESPONSE) != 0;
    }

    /** A connection from one peer to the other with a PSK and the given knobs. */
    static ConnectionConfig connection(InetAddress peer, int perCpuMax, boolean multiport, String ike, String esp) {
        return pskConnection(peer.getHostAddress())
                .ikeProposals(List.of(ike))
                .espProposals(List.of(esp))
                .localTs(List.of(peer.equals(B) ? "10.1.0.0/16" : "10.2.0.0/16"))
                .remoteTs(List.of(peer.equals(B) ? "10.2.0.0/16" : "10.1.0.0/16"))
                .dpdDelay(Duration.ofSeconds(30))
                .perCpuSas(true)
                .perCpuMax(perCpuMax == 0 ? null : perCpuMax)
                .multiport(multiport)
                .startAction(ConnectionConfig.StartAction.NONE)
                .build();
    }

    /** A connection named "site" to {@code peer} authenticated with {@link #PSK}; the rest as the caller sets. */
    static ConnectionConfig.Builder pskConnection(String peer) {
        return ConnectionConfig.builder("site").remoteAddress(peer).psk(net.ipsecgw.ike.config.Secret.valueOf(PSK));
    }

    static ConnectionConfig defaultAtA() {
        return connection(B, 0, true, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
    }

    static ConnectionConfig defaultAtB() {
        return connection(A, 0, true, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static InetSocketAddress at(InetAddress address, int port) {
        return new InetSocketAddress(address, port);
    }
}
