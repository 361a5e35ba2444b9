package net.ipsecgw.core.spd;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix such as {@code 10.1.0.0/16} or {@code 2001:db8::/32}, stored with the host
 * bits cleared. Immutable.
 */
public record IpPrefix(byte[] network, int length) {

    /** Checks the address length (4 or 16 bytes), the prefix length, and clears the host bits. */
    public IpPrefix {
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + network.length);
        }
        if (length < 0 || length > network.length * 8) {
            throw new IllegalArgumentException(
                    "prefix length " + length + " out of range for " + network.length * 8 + "-bit addresses");
        }
        network = mask(network.clone(), length);
    }

    /**
     * Parses {@code address/length}, or a bare address as a host prefix (/32 or /128).
     *
     * @throws IllegalArgumentException naming the text when it is not a prefix
     */
    public static IpPrefix parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or prefix");
        }
        try {
            int length = slash < 0 ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
            return new IpPrefix(bytes, length);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
        }
    }

    /** The same as {@link #parse(String)}, under the name configuration binding looks for. */
    public static IpPrefix valueOf(String text) {
        return parse(text);
    }

    /** True for an IPv4 prefix. */
    public boolean isIpv4() {
        return network.length == 4;
    }

    /** The IPv4 network as an int (IPv4 prefixes only). */
    public int ipv4() {
        return (network[0] & 0xFF) << 24 | (network[1] & 0xFF) << 16 | (network[2] & 0xFF) << 8 | network[3] & 0xFF;
    }

    /** Byte {@code i} of the network address, without copying it. */
    public byte networkByte(int i) {
        return network[i];
    }

    /** The IPv4 netmask of {@code length} bits as an int. */
    public static int ipv4Mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** True when {@code address} (4 or 16 bytes) lies inside this prefix. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(address.clone(), length), network);
    }

    /** True when the IPv4 address {@code address} lies inside this (IPv4) prefix. */
    public boolean containsIpv4(int address) {
        return isIpv4() && (address & ipv4Mask(length)) == ipv4();
    }

    /** The network address. */
    public InetAddress address() {
        try {
            return InetAddress.getByAddress(network);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // cannot happen for 4 or 16 bytes
        }
    }

    private static byte[] mask(byte[] bytes, int length) {
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.clamp(length - i * 8L, 0, 8);
            bytes[i] &= (byte) (0xFF00 >>> keep);
        }
        return bytes;
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpPrefix p && p.length == length && Arrays.equals(p.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + length;
    }

    @Override
    public String toString() {
        return NetUtil.bytesToIpAddress(network) + "/" + length;
    }
}
