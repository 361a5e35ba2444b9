package net.ipsecgw.core.control;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * Turns IKEv2 traffic selectors (address ranges with a protocol and port range, RFC 7296 §3.13.1) into
 * the SPD's selectors (prefix pairs, RFC 4301 §4.4.1).
 *
 * <p>Each address range becomes the smallest set of CIDR prefixes that covers exactly that range. Every
 * local range is paired with every remote range of the same family. What the SPD can express of the
 * rest: one IP protocol (or any), and a port range on the destination side of each direction (the
 * remote selector's ports outbound, the local selector's ports inbound); it does not check source
 * ports, so a local port range narrows nothing outbound (and a remote one nothing inbound). When both
 * sides name different protocols the pair can match no packet and is left out. Ports of protocols other
 * than TCP, UDP and SCTP (ICMP type and code, RFC 4301 §4.4.1.3) are not read: such a selector only
 * matches with the full port range.
 *
 * <p>Stateless.
 */
public final class TsPrefixes {
    private TsPrefixes() {}

    /** The smallest list of prefixes, in address order, whose union is exactly {@code range}'s addresses. */
    public static List<IpPrefix> prefixes(TsRange range) {
        int bits = range.isIpv4() ? 32 : 128;
        BigInteger start = new BigInteger(1, range.start().getAddress());
        BigInteger end = new BigInteger(1, range.end().getAddress());
        List<IpPrefix> prefixes = new ArrayList<>();
        while (start.compareTo(end) <= 0) {
            int hostBits = start.signum() == 0 ? bits : Math.min(start.getLowestSetBit(), bits);
            // The largest aligned block at start that does not run past end.
            while (hostBits > 0
                    && start.add(BigInteger.ONE.shiftLeft(hostBits))
                                    .subtract(BigInteger.ONE)
                                    .compareTo(end)
                            > 0) {
                hostBits--;
            }
            prefixes.add(new IpPrefix(toBytes(start, bits / 8), bits - hostBits));
            start = start.add(BigInteger.ONE.shiftLeft(hostBits));
        }
        return prefixes;
    }

    /** The outbound selectors (packets from a local to a remote address) of a pair of selector lists. */
    public static List<TrafficSelector> outbound(List<TsRange> local, List<TsRange> remote) {
        List<TrafficSelector> selectors = new ArrayList<>();
        for (TsRange l : local) {
            for (TsRange r : remote) {
                add(selectors, l, r, r);
            }
        }
        return selectors;
    }

    /** The inbound selectors (decrypted packets from a remote to a local address), turned around. */
    public static List<TrafficSelector> inbound(List<TsRange> local, List<TsRange> remote) {
        List<TrafficSelector> selectors = new ArrayList<>();
        for (TsRange l : local) {
            for (TsRange r : remote) {
                add(selectors, r, l, l);
            }
        }
        return selectors;
    }

    /** Adds source x destination, with the protocol both allow and the destination's port range. */
    private static void add(List<TrafficSelector> out, TsRange source, TsRange destination, TsRange ports) {
        if (source.isIpv4() != destination.isIpv4()) {
            return;
        }
        int protocol = source.protocol() == 0 ? destination.protocol() : source.protocol();
        if (destination.protocol() != 0 && destination.protocol() != protocol) {
            return; // e.g. TCP on one side, UDP on the other: no packet fits
        }
        for (IpPrefix from : prefixes(source)) {
            for (IpPrefix to : prefixes(destination)) {
                out.add(new TrafficSelector(from, to, protocol, ports.startPort(), ports.endPort()));
            }
        }
    }

    private static byte[] toBytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        return bytes;
    }
}
