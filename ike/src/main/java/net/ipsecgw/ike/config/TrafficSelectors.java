package net.ipsecgw.ike.config;

import io.netty.util.NetUtil;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * Traffic selectors as an operator writes them, in swanctl.conf's syntax: a prefix
 * ({@code 10.1.0.0/16}), a single address, or a range ({@code 10.1.0.5-10.1.0.9}), optionally followed by
 * {@code [protocol/port]} or {@code [protocol/from-to]} with the protocol by name ({@code tcp},
 * {@code udp}, {@code icmp}, {@code icmp6}, {@code sctp}) or number ({@code 10.0.0.0/8[tcp/443]}).
 */
public final class TrafficSelectors {
    private static final Map<String, Integer> PROTOCOLS =
            Map.of("any", 0, "icmp", 1, "tcp", 6, "udp", 17, "gre", 47, "icmp6", 58, "ipv6-icmp", 58, "sctp", 132);

    private TrafficSelectors() {}

    /**
     * Parses one selector.
     *
     * @throws ConfigValueException (key {@code ts}) saying what part is wrong
     */
    public static TsRange parse(String text) {
        String spec = text.strip();
        int open = spec.indexOf('[');
        String addresses = open < 0 ? spec : spec.substring(0, open);
        int protocol = 0;
        int fromPort = 0;
        int toPort = 65535;
        if (open >= 0) {
            if (!spec.endsWith("]")) {
                throw invalid(text, "has '[' without a closing ']'");
            }
            String[] protoPort = spec.substring(open + 1, spec.length() - 1).split("/", 2);
            protocol = protocol(text, protoPort[0]);
            if (protoPort.length == 2 && !protoPort[1].equals("%any")) {
                String[] range = protoPort[1].split("-", 2);
                fromPort = port(text, range[0]);
                toPort = range.length == 2 ? port(text, range[1]) : fromPort;
                if (fromPort > toPort) {
                    throw invalid(text, "has a port range that ends before it starts");
                }
            }
        }
        InetAddress[] bounds = addressRange(text, addresses);
        return new TsRange(bounds[0], bounds[1], protocol, fromPort, toPort);
    }

    private static InetAddress[] addressRange(String text, String addresses) {
        int slash = addresses.indexOf('/');
        int dash = addresses.indexOf('-');
        if (slash >= 0) {
            byte[] base = address(text, addresses.substring(0, slash));
            int bits = prefixLength(text, addresses.substring(slash + 1), base.length * 8);
            return new InetAddress[] {toAddress(mask(base, bits, false)), toAddress(mask(base, bits, true))};
        }
        if (dash >= 0) {
            byte[] from = address(text, addresses.substring(0, dash));
            byte[] to = address(text, addresses.substring(dash + 1));
            if (from.length != to.length) {
                throw invalid(text, "mixes an IPv4 and an IPv6 address in one range");
            }
            if (new BigInteger(1, from).compareTo(new BigInteger(1, to)) > 0) {
                throw invalid(text, "has a range that ends before it starts");
            }
            return new InetAddress[] {toAddress(from), toAddress(to)};
        }
        byte[] single = address(text, addresses);
        return new InetAddress[] {toAddress(single), toAddress(single)};
    }

    private static byte[] address(String text, String literal) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal.strip());
        if (bytes == null) {
            throw invalid(text, "'" + literal.strip() + "' is not an IP address");
        }
        return bytes;
    }

    private static int prefixLength(String text, String digits, int max) {
        try {
            int bits = Integer.parseInt(digits.strip());
            if (bits >= 0 && bits <= max) {
                return bits;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(text, "has a prefix length that is not 0-" + max);
    }

    private static byte[] mask(byte[] base, int bits, boolean ones) {
        byte[] result = base.clone();
        for (int bit = bits; bit < result.length * 8; bit++) {
            int mask = 0x80 >>> (bit % 8);
            result[bit / 8] = (byte) (ones ? result[bit / 8] | mask : result[bit / 8] & ~mask);
        }
        return result;
    }

    private static int protocol(String text, String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        Integer known = PROTOCOLS.get(key);
        if (known != null) {
            return known;
        }
        try {
            int number = Integer.parseInt(key);
            if (number >= 0 && number <= 255) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(text, "has protocol '" + name + "', which is neither a known name nor 0-255");
    }

    private static int port(String text, String digits) {
        try {
            int port = Integer.parseInt(digits.strip());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(text, "has port '" + digits + "', which is not 0-65535");
    }

    private static InetAddress toAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static ConfigValueException invalid(String text, String problem) {
        return new ConfigValueException("ts", "'" + text + "' " + problem);
    }
}
