package net.ipsecgw.natt;

import static net.ipsecgw.natt.UdpEncapsulation.UDP_HEADER_LENGTH;

import net.ipsecgw.esp.EspCipherSuite;
import net.ipsecgw.esp.EspSa;

/**
 * How large an inner packet may be so that, once encrypted and UDP-encapsulated, it fits the path MTU
 * without fragmentation: the TUN device's MTU, and the TCP MSS to clamp to.
 *
 * <p>Outer packet of tunnel-mode ESP in UDP (RFC 3948 §2.1, RFC 4303 §2) with an AEAD of 8-octet IV
 * and 16-octet ICV (AES-GCM, RFC 4106 §3; ChaCha20-Poly1305, RFC 7634 §2):
 *
 * <pre>
 *   outer IP (20 IPv4 / 40 IPv6) | UDP 8 | SPI+seq 8 | IV 8 | inner packet | pad 0-3 | pad len + next hdr 2 | ICV 16
 *                                                             \________ multiple of 4 (RFC 4303 §2.4) ________/
 * </pre>
 *
 * Worked for a 1500-octet path MTU over IPv4:
 *
 * <pre>
 *   1500 - 20 (IPv4) - 8 (UDP) - 8 (ESP header) - 8 (IV) - 16 (ICV) = 1440 octets for payload + padding + trailer
 *   round down to a multiple of 4:                                    1440
 *   minus the 2-octet trailer (pad length, next header):              1438 = TUN MTU (padding 0)
 *   TCP MSS, IPv4 inner: 1438 - 20 (IPv4) - 20 (TCP)                = 1398
 * </pre>
 *
 * Over IPv6 the same steps give 1420, 1420, 1418 (MSS 1378 for IPv4 inside, 1358 for IPv6 inside).
 * Subtracting the worst-case 3 octets of padding instead of rounding down (1500 → 1435) is also safe
 * but wastes up to 3 octets; rounding down gives the largest inner packet that fits, since one more
 * octet always needs at least 3 octets of padding to reach the next multiple of 4.
 *
 * <p>Pure functions; any thread.
 */
public final class EncapsulationMtu {
    /** Length of a TCP header without options (RFC 9293 §3.1). */
    public static final int TCP_HEADER_LENGTH = 20;

    /**
     * An IP version, with the length of its header as counted here (no IPv4 options, no IPv6
     * extensions) and the smallest MTU its links may have.
     */
    public enum IpVersion {
        /** IPv4: 20-octet header; every host accepts 68-octet packets (RFC 791). */
        IPV4(UdpEncapsulation.IPV4_HEADER_LENGTH, 68),
        /** IPv6: 40-octet header; every link carries 1280 octets (RFC 8200 §5). */
        IPV6(UdpEncapsulation.IPV6_HEADER_LENGTH, 1280);

        private final int headerLength;
        private final int minimumMtu;

        IpVersion(int headerLength, int minimumMtu) {
            this.headerLength = headerLength;
            this.minimumMtu = minimumMtu;
        }

        /** The header length in octets. */
        public int headerLength() {
            return headerLength;
        }

        /** The smallest MTU a path of this version may have. */
        public int minimumMtu() {
            return minimumMtu;
        }
    }

    private EncapsulationMtu() {}

    /**
     * The largest inner packet that fits {@code pathMtu} once encapsulated over {@code outer} IP.
     *
     * @throws IllegalArgumentException when {@code pathMtu} is below the version's minimum MTU
     */
    public static int tunMtu(int pathMtu, IpVersion outer) {
        if (pathMtu < outer.minimumMtu()) {
            throw new IllegalArgumentException(
                    "path MTU " + pathMtu + " is below the " + outer + " minimum of " + outer.minimumMtu());
        }
        int forPayload =
                pathMtu - outer.headerLength() - UDP_HEADER_LENGTH - EspSa.PREFIX_LENGTH - EspCipherSuite.ICV_LENGTH;
        // The minimum MTUs (68, 1280) leave at least 8 octets here, so the result is always positive.
        return (forPayload & -EspSa.ALIGNMENT) - EspSa.TRAILER_LENGTH;
    }

    /** The TCP MSS for TCP over {@code inner} IP inside a tunnel whose inner MTU is {@code tunMtu}. */
    public static int tcpMss(int tunMtu, IpVersion inner) {
        int mss = tunMtu - inner.headerLength() - TCP_HEADER_LENGTH;
        if (mss < 1) {
            throw new IllegalArgumentException("tunnel MTU " + tunMtu + " leaves no room for TCP");
        }
        return mss;
    }
}
