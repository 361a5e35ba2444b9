package net.ipsecgw.core.tun;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds and parses IPv4/UDP datagrams for the TUN tests (RFC 791 header, RFC 768 UDP with its
 * pseudo-header checksum). Test helper; immutable.
 *
 * @param source IPv4 source address
 * @param sourcePort UDP source port
 * @param destination IPv4 destination address
 * @param destinationPort UDP destination port
 * @param payload UDP payload
 */
record Ipv4Udp(Inet4Address source, int sourcePort, Inet4Address destination, int destinationPort, byte[] payload) {
    private static final int IP_HEADER = 20;
    private static final int UDP_HEADER = 8;
    private static final int PROTOCOL_UDP = 17;

    /** The datagram as it travels on the wire: IPv4 header (TTL 64, DF), UDP header, payload. */
    byte[] encode() {
        int total = IP_HEADER + UDP_HEADER + payload.length;
        ByteBuffer out = ByteBuffer.allocate(total);
        out.put((byte) 0x45).put((byte) 0).putShort((short) total);
        out.putShort((short) 0x1234).putShort((short) 0x4000); // identification, DF
        out.put((byte) 64).put((byte) PROTOCOL_UDP).putShort((short) 0);
        out.put(source.getAddress()).put(destination.getAddress());
        out.putShort(10, checksum(out.array(), 0, IP_HEADER, 0));
        out.putShort((short) sourcePort).putShort((short) destinationPort);
        out.putShort((short) (UDP_HEADER + payload.length)).putShort((short) 0).put(payload);
        short udpChecksum = checksum(out.array(), IP_HEADER, UDP_HEADER + payload.length, pseudoHeaderSum());
        out.putShort(IP_HEADER + 6, udpChecksum == 0 ? (short) 0xffff : udpChecksum);
        return out.array();
    }

    /** Parses an IPv4/UDP datagram; throws for anything else. */
    static Ipv4Udp decode(byte[] packet) {
        ByteBuffer in = ByteBuffer.wrap(packet);
        if ((packet[0] >> 4) != 4 || packet[9] != PROTOCOL_UDP) {
            throw new IllegalArgumentException(
                    "not IPv4/UDP: " + java.util.HexFormat.of().formatHex(packet));
        }
        int headerLength = (packet[0] & 0x0f) * 4;
        int totalLength = in.getShort(2) & 0xffff;
        Inet4Address source = address(Arrays.copyOfRange(packet, 12, 16));
        Inet4Address destination = address(Arrays.copyOfRange(packet, 16, 20));
        int sourcePort = in.getShort(headerLength) & 0xffff;
        int destinationPort = in.getShort(headerLength + 2) & 0xffff;
        byte[] payload = Arrays.copyOfRange(packet, headerLength + UDP_HEADER, totalLength);
        return new Ipv4Udp(source, sourcePort, destination, destinationPort, payload);
    }

    private int pseudoHeaderSum() {
        byte[] s = source.getAddress();
        byte[] d = destination.getAddress();
        int sum = word(s, 0) + word(s, 2) + word(d, 0) + word(d, 2);
        return sum + PROTOCOL_UDP + UDP_HEADER + payload.length;
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code offset}, plus {@code initial}. */
    static short checksum(byte[] data, int offset, int length, int initial) {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += word(data, offset + i);
        }
        if ((length & 1) != 0) {
            sum += (data[offset + length - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    private static int word(byte[] data, int offset) {
        return ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
    }

    private static Inet4Address address(byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
