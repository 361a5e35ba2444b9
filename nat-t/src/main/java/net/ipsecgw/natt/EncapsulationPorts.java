package net.ipsecgw.natt;

import java.util.Arrays;

/**
 * The encapsulation source port of each lane: a keyed hash of the lane's inner-flow hash bucket,
 * folded and scaled into a {@link PortRange}, so that a peer's NIC (hashing the outer 4-tuple for RSS)
 * spreads our lanes over its receive queues.
 *
 * <p>For lane {@code k} and probe {@code a = 0, 1, ...}:
 *
 * <pre>
 *   h    = SipHash-2-4(key, le32(k) || le32(a))           64 bits
 *   f    = (h xor (h >>> 32)) mod 2^32                     folded to 32 bits
 *   port = first + floor(f * size / 2^32)                  scaled into the range
 * </pre>
 *
 * The first probe whose port is eligible (not 500 or 4500) and not already taken by a lower lane wins.
 * After {@value #MAX_HASH_PROBES} hash probes (only reachable when the range is nearly full) the search
 * goes on linearly upwards from the last probe, wrapping, so it always ends.
 *
 * <p>Properties: the same key gives the same ports after a restart; ports are distinct across lanes;
 * lane {@code k}'s port depends only on the key and lanes {@code 0..k}, so adding lanes keeps the
 * existing lanes' ports (and the peer's NAT bindings). Computed once at startup; immutable after.
 */
public final class EncapsulationPorts {
    /** Hash probes per lane before falling back to a linear scan. */
    static final int MAX_HASH_PROBES = 64;

    private EncapsulationPorts() {}

    /**
     * The source ports of lanes {@code 0..lanes-1}, index = lane.
     *
     * @param key a 16-octet secret key, stable across restarts (configuration or state)
     * @param range where the ports are drawn from
     * @param lanes the number of lanes, at least 1 and at most the range's eligible ports
     */
    public static int[] assign(byte[] key, PortRange range, int lanes) {
        if (key.length != SipHash24.KEY_LENGTH) {
            throw new IllegalArgumentException("port key must be 16 octets, got " + key.length);
        }
        if (lanes < 1 || lanes > range.eligibleCount()) {
            throw new IllegalArgumentException("cannot give " + lanes + " lanes distinct ports from " + range + " ("
                    + range.eligibleCount() + " eligible ports)");
        }
        int[] ports = new int[lanes];
        for (int lane = 0; lane < lanes; lane++) {
            ports[lane] = portFor(key, range, lane, Arrays.copyOf(ports, lane));
        }
        return ports;
    }

    /** The {@code probe}-th hashed candidate of {@code lane}, before the eligibility check. */
    static int candidate(byte[] key, PortRange range, int lane, int probe) {
        long h = SipHash24.hash(key, message(lane, probe));
        long folded = (h ^ (h >>> 32)) & 0xFFFF_FFFFL;
        return range.first() + (int) ((folded * range.size()) >>> 32);
    }

    private static int portFor(byte[] key, PortRange range, int lane, int[] taken) {
        int port = range.first();
        for (int probe = 0; probe < MAX_HASH_PROBES; probe++) {
            port = candidate(key, range, lane, probe);
            if (isFree(range, port, taken)) {
                return port;
            }
        }
        while (!isFree(range, port, taken)) {
            port = port == range.last() ? range.first() : port + 1;
        }
        return port;
    }

    private static boolean isFree(PortRange range, int port, int[] taken) {
        if (!range.isEligible(port)) {
            return false;
        }
        for (int used : taken) {
            if (used == port) {
                return false;
            }
        }
        return true;
    }

    /** The hash input: lane then probe, each as four little-endian octets. */
    private static byte[] message(int lane, int probe) {
        byte[] m = new byte[8];
        for (int i = 0; i < 4; i++) {
            m[i] = (byte) (lane >>> (8 * i));
            m[4 + i] = (byte) (probe >>> (8 * i));
        }
        return m;
    }
}
