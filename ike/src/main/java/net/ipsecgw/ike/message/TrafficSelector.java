package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * One traffic selector of a TS payload (RFC 7296 §3.13.1): an address range, an IP protocol and a
 * port range.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Start Port*         |           End Port*           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                         Starting Address*                     ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                         Ending Address*                       ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Only TS_IPV4_ADDR_RANGE (7) and TS_IPV6_ADDR_RANGE (8) are decoded; any other TS type is a syntax
 * error here, since its layout is not known. Ranges are not checked for order when decoding (a
 * reversed range, or the "opaque" ports start 65535 / end 0, are negotiation matters), only by
 * {@link #toRange()}.
 *
 * @param tsType {@link #TS_IPV4_ADDR_RANGE} or {@link #TS_IPV6_ADDR_RANGE}
 * @param protocol IP protocol, 0 for any
 * @param startPort first port
 * @param endPort last port
 * @param start first address, of the family {@code tsType} says
 * @param end last address, same family
 */
public record TrafficSelector(
        int tsType, int protocol, int startPort, int endPort, InetAddress start, InetAddress end) {
    /** TS type of an IPv4 address range. */
    public static final int TS_IPV4_ADDR_RANGE = 7;
    /** TS type of an IPv6 address range. */
    public static final int TS_IPV6_ADDR_RANGE = 8;

    private static final int FIXED = 8;

    /** Checks that the type, both addresses and the octet and port fields agree. */
    public TrafficSelector {
        int size = addressSize(tsType);
        if (size == 0 || start.getAddress().length != size || end.getAddress().length != size) {
            throw new IllegalArgumentException("TS type " + tsType + " does not fit " + start + " - " + end);
        }
        if (protocol < 0 || protocol > 255 || (startPort | endPort) < 0 || startPort > 0xffff || endPort > 0xffff) {
            throw new IllegalArgumentException("protocol or port out of range");
        }
    }

    /** The selector for a data-plane range. */
    public static TrafficSelector fromRange(TsRange range) {
        int type = range.isIpv4() ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE;
        return new TrafficSelector(
                type, range.protocol(), range.startPort(), range.endPort(), range.start(), range.end());
    }

    /**
     * This selector as a data-plane range.
     *
     * @throws IllegalArgumentException for a selector a {@link TsRange} cannot hold: addresses or
     *     ports in reverse order, including the opaque ports of RFC 7296 §3.13.1
     */
    public TsRange toRange() {
        return new TsRange(start, end, protocol, startPort, endPort);
    }

    static TrafficSelector decode(ByteBuf in) throws DecodeFailure {
        Bytes.need(in, FIXED, "traffic selector");
        int type = in.readUnsignedByte();
        int protocol = in.readUnsignedByte();
        int length = in.readUnsignedShort();
        int size = addressSize(type);
        if (size == 0) {
            throw DecodeFailure.syntax("unsupported traffic selector type " + type);
        }
        if (length != FIXED + 2 * size) {
            throw DecodeFailure.syntax("traffic selector of type " + type + " has length " + length);
        }
        int startPort = in.readUnsignedShort();
        int endPort = in.readUnsignedShort();
        InetAddress start = address(Bytes.read(in, size, "traffic selector address"));
        InetAddress end = address(Bytes.read(in, size, "traffic selector address"));
        return new TrafficSelector(type, protocol, startPort, endPort, start, end);
    }

    int encodedLength() {
        return FIXED + 2 * addressSize(tsType);
    }

    void encode(ByteBuf out) {
        out.writeByte(tsType);
        out.writeByte(protocol);
        out.writeShort(encodedLength());
        out.writeShort(startPort);
        out.writeShort(endPort);
        out.writeBytes(start.getAddress());
        out.writeBytes(end.getAddress());
    }

    private static int addressSize(int type) {
        return switch (type) {
            case TS_IPV4_ADDR_RANGE -> 4;
            case TS_IPV6_ADDR_RANGE -> 16;
            default -> 0;
        };
    }

    /** Keeps 16 bytes as an Inet6Address even for IPv4-mapped addresses, which InetAddress would narrow. */
    private static InetAddress address(byte[] bytes) {
        try {
            return bytes.length == 4
                    ? (Inet4Address) InetAddress.getByAddress(bytes)
                    : Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("address of 4 or 16 bytes rejected", e);
        }
    }

    @Override
    public String toString() {
        String proto = protocol == 0 ? "" : "/" + protocol;
        String ports = startPort == 0 && endPort == 65535 ? "" : "[" + startPort + "-" + endPort + "]";
        return start.getHostAddress() + "-" + end.getHostAddress() + proto + ports;
    }
}
