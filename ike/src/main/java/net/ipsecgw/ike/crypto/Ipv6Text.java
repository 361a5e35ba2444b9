package net.ipsecgw.ike.crypto;

/** The RFC 5952 §4 text form of an IPv6 address ("2001:db8::1"), which the JDK does not write. Stateless. */
final class Ipv6Text {
    private Ipv6Text() {}

    /** Lower-case hex groups without leading zeros, the first longest run of two or more zero groups as "::". */
    static String compressed(byte[] address) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        int[] run = longestZeroRun(groups);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == run[0]) {
                out.append("::");
                i += run[1] - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** {start, length} of the first longest run of zero groups, or {-1, 0} if none is longer than one. */
    private static int[] longestZeroRun(int[] groups) {
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        return bestStart < 0 ? new int[] {-1, 0} : new int[] {bestStart, bestLength};
    }
}
