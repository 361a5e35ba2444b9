package net.ipsecgw.ike.sa;

import io.netty.buffer.Unpooled;
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
import java.util.function.Predicate;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.IkeSettings;
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
    void deliver(RecordingDataPlane.Datagram datagram) {
        if (drop.test(datagram)) {
            return;
        }
        delivered.add(datagram);
        IkeDaemon to = datagram.to().getAddress().equals(A) ? a : b;
        to.ikeReceived(Unpooled.wrappedBuffer(datagram.bytes()), datagram.to(), datagram.from());
    }

    /** Moves virtual time in one-second steps, delivering after each. */
    void run(Duration duration) {
        deliverAll();
        for (long s = 0; s < duration.toSeconds(); s++) {
            timers.advance(Duration.ofSeconds(1));
            deliverAll();
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
        return new ConnectionConfig(
                "site",
                peer.getHostAddress(),
                null,
                null,
                null,
                null,
                net.ipsecgw.ike.config.Secret.valueOf(PSK),
                null,
                null,
                null,
                List.of(ike),
                List.of(esp),
                List.of(peer.equals(B) ? "10.1.0.0/16" : "10.2.0.0/16"),
                List.of(peer.equals(B) ? "10.2.0.0/16" : "10.1.0.0/16"),
                null,
                null,
                null,
                null,
                null,
                Duration.ofSeconds(30),
                null,
                true,
                perCpuMax == 0 ? null : perCpuMax,
                multiport,
                ConnectionConfig.StartAction.NONE,
                null);
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
