package net.ipsecgw.natt;

/**
 * An inclusive range of UDP ports from which encapsulation source ports are drawn.
 *
 * <p>The default is the IANA dynamic range 49152-65535 (RFC 6335 §6), where no service listens. The
 * IKE ports 500 and 4500 are never handed out even when a configured range contains them: a peer
 * would mistake ESP from such a port for the main NAT-T flow.
 *
 * <p>Immutable; any thread.
 *
 * @param first the lowest port, 1-65535
 * @param last the highest port, {@code first}-65535
 */
public record PortRange(int first, int last) {
    /** The dynamic/private ports of RFC 6335 §6. */
    public static final PortRange DYNAMIC = new PortRange(49152, 65535);

    /** Checks that the range is a non-empty part of 1-65535. */
    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException(
                    "port range must satisfy 1 <= first <= last <= 65535, got " + first + "-" + last);
        }
    }

    /** Parses {@code "first-last"} (or a single port), as configuration files write it. */
    public static PortRange valueOf(String text) {
        String[] parts = text.trim().split("\\s*-\\s*");
        try {
            int first = Integer.parseInt(parts[0]);
            return new PortRange(first, parts.length > 1 ? Integer.parseInt(parts[1]) : first);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("'" + text + "' is not a port range such as 49152-65535");
        }
    }

    /** How many ports the range holds, 500 and 4500 included. */
    public int size() {
        return last - first + 1;
    }

    /** True when {@code port} lies in the range. */
    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    /** True when {@code port} may be used as an encapsulation source port: in range, not 500 or 4500. */
    public boolean isEligible(int port) {
        return contains(port) && port != UdpEncapsulation.IKE_PORT && port != UdpEncapsulation.NAT_T_PORT;
    }

    /** How many ports of the range are eligible. */
    public int eligibleCount() {
        int count = size();
        count -= contains(UdpEncapsulation.IKE_PORT) ? 1 : 0;
        count -= contains(UdpEncapsulation.NAT_T_PORT) ? 1 : 0;
        return count;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
