package net.ipsecgw.ike.sa;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * Traffic selector narrowing (RFC 7296 §2.9): the responder answers with the intersection of what
 * the initiator proposed and what its own policy allows; an empty intersection is TS_UNACCEPTABLE.
 */
final class TsNarrowing {
    private TsNarrowing() {}

    /** Every non-empty intersection of a proposed selector with a configured one, in proposal order. */
    static List<TsRange> narrow(List<TsRange> proposed, List<TsRange> configured) {
        List<TsRange> result = new ArrayList<>();
        for (TsRange p : proposed) {
            for (TsRange c : configured) {
                TsRange both = intersect(p, c);
                if (both != null && !result.contains(both)) {
                    result.add(both);
                }
            }
        }
        return result;
    }

    /** The intersection of two selectors, or null when they share nothing. */
    static TsRange intersect(TsRange a, TsRange b) {
        if (a.isIpv4() != b.isIpv4()) {
            return null;
        }
        int protocol;
        if (a.protocol() == 0 || b.protocol() == 0 || a.protocol() == b.protocol()) {
            protocol = Math.max(a.protocol(), b.protocol());
        } else {
            return null;
        }
        int fromPort = Math.max(a.startPort(), b.startPort());
        int toPort = Math.min(a.endPort(), b.endPort());
        BigInteger start = max(number(a.start()), number(b.start()));
        BigInteger end = min(number(a.end()), number(b.end()));
        if (fromPort > toPort || start.compareTo(end) > 0) {
            return null;
        }
        int length = a.start().getAddress().length;
        return new TsRange(address(start, length), address(end, length), protocol, fromPort, toPort);
    }

    private static BigInteger number(InetAddress address) {
        return new BigInteger(1, address.getAddress());
    }

    private static BigInteger max(BigInteger a, BigInteger b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static BigInteger min(BigInteger a, BigInteger b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static InetAddress address(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
