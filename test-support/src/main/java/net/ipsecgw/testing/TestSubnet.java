package net.ipsecgw.testing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A /30 from the test-only range 10.211.0.0/16, with its two usable addresses. Tests put these
 * addresses on interfaces inside the namespaces they create, never in the host namespace, and never
 * route anything else through them. Immutable.
 *
 * @param network the network address (a multiple of 4)
 * @param first the first host address (network + 1)
 * @param second the second host address (network + 2)
 */
public record TestSubnet(Inet4Address network, Inet4Address first, Inet4Address second) {
    /** Prefix length of every test subnet. */
    public static final int PREFIX_LENGTH = 30;

    private static final int BASE = (10 << 24) | (211 << 16);
    private static final int SUBNETS = 1 << 14; // 10.211.0.0/16 holds 16384 /30s
    private static final AtomicInteger NEXT = new AtomicInteger();

    /** The next unused /30 of this JVM (wrapping after 16384). Thread-safe. */
    public static TestSubnet next() {
        int index = Math.floorMod(NEXT.getAndIncrement(), SUBNETS);
        int network = BASE + 4 * index;
        return new TestSubnet(address(network), address(network + 1), address(network + 2));
    }

    /** {@code first} with its prefix, e.g. "10.211.0.1/30", as {@code ip addr add} wants it. */
    public String firstWithPrefix() {
        return first.getHostAddress() + "/" + PREFIX_LENGTH;
    }

    /** {@code second} with its prefix, e.g. "10.211.0.2/30". */
    public String secondWithPrefix() {
        return second.getHostAddress() + "/" + PREFIX_LENGTH;
    }

    private static Inet4Address address(int value) {
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }
}
