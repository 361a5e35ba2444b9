package net.ipsecgw.core.spd;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * An immutable snapshot of the security policy database: which tunnel protects a packet, found by
 * the longest prefix match of its destination on the selectors' remote prefixes, then by its source,
 * protocol and remote port (RFC 4301 §4.4.1). The control plane builds a new snapshot on every change
 * and publishes it to the lanes; a lookup takes no lock and allocates nothing.
 *
 * <p>IPv4: one hash table per distinct prefix length, probed from the longest length down. IPv6: the
 * selectors sorted by prefix length, scanned in order (tunnels rarely carry many IPv6 selectors).
 *
 * @param <T> what a selector leads to (a tunnel)
 */
public final class Spd<T> {

    private final int[] ipv4Lengths;
    private final List<IntObjectHashMap<Entry<T>[]>> ipv4ByLength;
    private final Entry<T>[] ipv6;

    private record Entry<T>(TrafficSelector selector, T target) {}

    private Spd(int[] ipv4Lengths, List<IntObjectHashMap<Entry<T>[]>> ipv4ByLength, Entry<T>[] ipv6) {
        this.ipv4Lengths = ipv4Lengths;
        this.ipv4ByLength = ipv4ByLength;
        this.ipv6 = ipv6;
    }

    /** A builder; selectors added earlier win among equally specific ones. */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** The empty database: every lookup misses. */
    public static <T> Spd<T> empty() {
        return Spd.<T>builder().build();
    }

    /**
     * The target protecting the IP packet at {@code index} (its readable bytes from there), or null when
     * no selector covers it or the packet is too short to tell.
     */
    public T lookup(ByteBuf packet, int index) {
        int length = packet.writerIndex() - index;
        if (length < 20) {
            return null;
        }
        int version = packet.getUnsignedByte(index) >>> 4;
        if (version == 4) {
            return lookupIpv4(packet, index, length);
        }
        return version == 6 && length >= 40 ? lookupIpv6(packet, index, length) : null;
    }

    private T lookupIpv4(ByteBuf packet, int index, int length) {
        int source = packet.getInt(index + 12);
        int destination = packet.getInt(index + 16);
        int protocol = packet.getUnsignedByte(index + 9);
        int headerLength = (packet.getUnsignedByte(index) & 0x0F) * 4;
        boolean firstFragment = (packet.getUnsignedShort(index + 6) & 0x1FFF) == 0;
        int port = firstFragment && hasPorts(protocol) && length >= headerLength + 4
                ? packet.getUnsignedShort(index + headerLength + 2)
                : -1;
        for (int i = 0; i < ipv4Lengths.length; i++) {
            Entry<T>[] bucket = ipv4ByLength.get(i).get(destination & IpPrefix.ipv4Mask(ipv4Lengths[i]));
            if (bucket != null) {
                for (Entry<T> entry : bucket) {
                    if (entry.selector.local().containsIpv4(source)
                            && entry.selector.matchesProtocolAndPort(protocol, port)) {
                        return entry.target;
                    }
                }
            }
        }
        return null;
    }

    private T lookupIpv6(ByteBuf packet, int index, int length) {
        int protocol = packet.getUnsignedByte(index + 6); // next header; extension headers are not walked
        int port = hasPorts(protocol) && length >= 44 ? packet.getUnsignedShort(index + 42) : -1;
        for (Entry<T> entry : ipv6) {
            if (contains6(entry.selector.remote(), packet, index + 24)
                    && contains6(entry.selector.local(), packet, index + 8)
                    && entry.selector.matchesProtocolAndPort(protocol, port)) {
                return entry.target;
            }
        }
        return null;
    }

    private static boolean contains6(IpPrefix prefix, ByteBuf packet, int at) {
        int bits = prefix.length();
        for (int i = 0; i < 16 && bits > 0; i++, bits -= 8) {
            int mask = 0xFF00 >>> Math.min(bits, 8) & 0xFF;
            if (((packet.getByte(at + i) ^ prefix.networkByte(i)) & mask) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasPorts(int protocol) {
        return protocol == 6 || protocol == 17 || protocol == 132; // TCP, UDP, SCTP
    }

    /** Collects selectors, then builds the lookup structure once. Not thread-safe. */
    public static final class Builder<T> {
        private final List<Entry<T>> entries = new ArrayList<>();

        /** Adds a selector that leads to {@code target}. */
        public Builder<T> add(TrafficSelector selector, T target) {
            entries.add(new Entry<>(selector, target));
            return this;
        }

        /**
         * The immutable database. The IPv4 selectors are sorted (stably, so insertion order holds within
         * a bucket) by prefix length, longest first, then by network; each run of one length becomes a
         * hash table sized for it, each run of one network a bucket.
         */
        @SuppressWarnings("unchecked")
        public Spd<T> build() {
            List<Entry<T>> v4 = new ArrayList<>(entries.size());
            List<Entry<T>> v6 = new ArrayList<>();
            for (Entry<T> entry : entries) {
                (entry.selector.remote().isIpv4() ? v4 : v6).add(entry);
            }
            v4.sort(Comparator.comparingInt((Entry<T> e) -> -e.selector.remote().length())
                    .thenComparingInt(e -> e.selector.remote().ipv4()));
            int[] lengths = new int[v4.size()];
            List<IntObjectHashMap<Entry<T>[]>> tables = new ArrayList<>();
            int lengthCount = 0;
            for (int from = 0; from < v4.size(); ) {
                int length = v4.get(from).selector.remote().length();
                int to = from;
                int networks = 0;
                while (to < v4.size() && v4.get(to).selector.remote().length() == length) {
                    if (to == from
                            || v4.get(to).selector.remote().ipv4()
                                    != v4.get(to - 1).selector.remote().ipv4()) {
                        networks++;
                    }
                    to++;
                }
                IntObjectHashMap<Entry<T>[]> table = new IntObjectHashMap<>(Math.max(8, networks * 2));
                for (int run = from; run < to; ) {
                    int network = v4.get(run).selector.remote().ipv4();
                    int end = run;
                    while (end < to && v4.get(end).selector.remote().ipv4() == network) {
                        end++;
                    }
                    table.put(network, v4.subList(run, end).toArray(new Entry[0]));
                    run = end;
                }
                lengths[lengthCount++] = length;
                tables.add(table);
                from = to;
            }
            v6.sort(Comparator.comparingInt((Entry<T> e) -> -e.selector.remote().length()));
            return new Spd<>(Arrays.copyOf(lengths, lengthCount), tables, v6.toArray(new Entry[0]));
        }
    }

    @Override
    public String toString() {
        return "Spd[ipv4 lengths " + Arrays.toString(ipv4Lengths) + ", " + ipv6.length + " ipv6 selectors]";
    }
}
