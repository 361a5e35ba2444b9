package net.ipsecgw.natt;

import io.netty.channel.Channel;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import net.ipsecgw.natt.sys.Syscalls;

/**
 * Protocol constants of UDP-encapsulated ESP (RFC 3948) and the headers it carries, kept apart from
 * tunables so that a value's origin is always one RFC section away.
 *
 * <p>Immutable; usable from any thread.
 */
public final class UdpEncapsulation {
    /** The IKE NAT-traversal port that carries both IKE (with the marker) and ESP (RFC 7296 §2.23). */
    public static final int NAT_T_PORT = 4500;

    /** The plain IKE port (RFC 7296 §2). Never chosen as an encapsulation source port. */
    public static final int IKE_PORT = 500;

    /** Length of the non-ESP marker: four zero octets in place of an SPI (RFC 3948 §2.2). */
    public static final int NON_ESP_MARKER_LENGTH = 4;

    /** Length of the fixed IKE header that must follow the non-ESP marker (RFC 7296 §3.1). */
    public static final int IKE_HEADER_LENGTH = 28;

    /** Length of the ESP header: SPI and sequence number (RFC 4303 §2). */
    public static final int ESP_HEADER_LENGTH = 8;

    /** Length of the ESP SPI field, the first field of the ESP header (RFC 4303 §2.1). */
    public static final int SPI_LENGTH = 4;

    /** The only octet of a NAT-keepalive packet (RFC 3948 §2.3). */
    public static final int KEEPALIVE_OCTET = 0xFF;

    /** Length of a NAT-keepalive payload (RFC 3948 §2.3: "a one-octet-long payload"). */
    public static final int KEEPALIVE_LENGTH = 1;

    /** SPIs 1 to 255 are reserved by IANA and never assigned (RFC 4303 §2.1). */
    public static final int MAX_RESERVED_SPI = 255;

    /** Length of the UDP header (RFC 768). */
    public static final int UDP_HEADER_LENGTH = 8;

    /** Length of an IPv4 header without options (RFC 791). */
    public static final int IPV4_HEADER_LENGTH = 20;

    /** Length of the IPv6 fixed header (RFC 8200 §3). */
    public static final int IPV6_HEADER_LENGTH = 40;

    /** {@code SO_NO_CHECK} (asm-generic/socket.h): send UDP over IPv4 with a zero checksum. */
    static final int SO_NO_CHECK = 11;

    private static final int SOL_SOCKET = 1;

    private UdpEncapsulation() {}

    /**
     * Makes a bound native UDP channel send with checksum 0 when it is IPv4, as RFC 3948 §2.1 says
     * ESP-in-UDP should ("IPv4 UDP Checksum SHOULD be transmitted as a zero value"): ESP's ICV already
     * protects the payload, and the checksum would cost a pass over every packet where the NIC does not
     * offload it. IPv6 always needs a UDP checksum (RFC 8200 §8.1), so IPv6 channels are left as they
     * are.
     */
    public static void sendWithoutChecksum(Channel channel) {
        if (channel.localAddress() instanceof InetSocketAddress local && local.getAddress() instanceof Inet4Address) {
            int fd = UdpTransport.fd(channel);
            Syscalls.setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, 1, "setsockopt(SO_NO_CHECK, fd " + fd + ")");
        }
    }

    /**
     * Sets up the UDP checksum of a bound native channel that sends ESP-in-UDP: with {@code segmentedSends}
     * false, checksum 0 on IPv4 ({@link #sendWithoutChecksum}); with true, the kernel's checksum, because
     * the kernel refuses a UDP GSO send (UDP_SEGMENT) from a socket with SO_NO_CHECK (EINVAL). Receivers
     * must accept either (RFC 3948 §2.1: "Receivers MUST NOT depend upon the UDP checksum being a zero
     * value"); the NIC normally computes it.
     */
    public static void setUpChecksum(Channel channel, boolean segmentedSends) {
        if (!segmentedSends) {
            sendWithoutChecksum(channel);
        }
    }
}
