package net.ipsecgw.esp;

import io.netty.buffer.ByteBuf;

/**
 * Checks of the inner IP packet that tunnel-mode ESP carries: its version must match the next header,
 * and its own length field tells where traffic-flow-confidentiality padding begins (RFC 4303 §2.7).
 */
final class InnerPacket {
    /** The next header is not IPv4 or IPv6. */
    static final int NOT_IP = -1;
    /** The packet is too short, its version contradicts the next header, or its length overruns. */
    static final int MALFORMED = -2;

    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;

    private InnerPacket() {}

    /**
     * The length of the inner packet at {@code index}, at most {@code available} bytes long, or
     * {@link #NOT_IP} / {@link #MALFORMED}.
     */
    static int length(ByteBuf buf, int index, int available, int nextHeader) {
        return switch (nextHeader) {
            case EspSa.NEXT_HEADER_IPV4 -> ipv4Length(buf, index, available);
            case EspSa.NEXT_HEADER_IPV6 -> ipv6Length(buf, index, available);
            default -> NOT_IP;
        };
    }

    private static int ipv4Length(ByteBuf buf, int index, int available) {
        if (available < IPV4_HEADER || (buf.getUnsignedByte(index) >>> 4) != 4) {
            return MALFORMED;
        }
        return fits(buf.getUnsignedShort(index + 2), IPV4_HEADER, available);
    }

    private static int ipv6Length(ByteBuf buf, int index, int available) {
        if (available < IPV6_HEADER || (buf.getUnsignedByte(index) >>> 4) != 6) {
            return MALFORMED;
        }
        return fits(IPV6_HEADER + buf.getUnsignedShort(index + 4), IPV6_HEADER, available);
    }

    private static int fits(int declared, int minimum, int available) {
        return declared >= minimum && declared <= available ? declared : MALFORMED;
    }
}
