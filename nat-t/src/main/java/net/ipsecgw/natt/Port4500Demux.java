package net.ipsecgw.natt;

import static net.ipsecgw.natt.UdpEncapsulation.ESP_HEADER_LENGTH;
import static net.ipsecgw.natt.UdpEncapsulation.IKE_HEADER_LENGTH;
import static net.ipsecgw.natt.UdpEncapsulation.KEEPALIVE_LENGTH;
import static net.ipsecgw.natt.UdpEncapsulation.KEEPALIVE_OCTET;
import static net.ipsecgw.natt.UdpEncapsulation.MAX_RESERVED_SPI;
import static net.ipsecgw.natt.UdpEncapsulation.NON_ESP_MARKER_LENGTH;
import static net.ipsecgw.natt.UdpEncapsulation.SPI_LENGTH;

import io.netty.buffer.ByteBuf;

/**
 * The port-4500 demultiplexer of RFC 3948 §2: tells ESP, IKE and NAT-keepalives apart by the first
 * octets of the UDP payload, and frames outgoing IKE messages with the non-ESP marker.
 *
 * <pre>
 *  UDP payload on port 4500                          verdict
 *  +------+                                          KEEPALIVE   (exactly 1 octet, 0xFF; §2.3)
 *  | 0xFF |
 *  +------+------+------+------+---------------+
 *  |     0x00000000 (marker)   | IKE header... |     IKE         (marker + >= 28 octets; §2.2)
 *  +---------------------------+---------------+
 *  |     SPI (non-zero)        | Sequence No.  |...  ESP         (>= 8 octets; §2.1)
 *  +---------------------------+---------------+
 * </pre>
 *
 * <p>Pure and stateless: no allocation, no reader- or writer-index change. Safe from any thread; the
 * data path calls it on the lane's event loop for every received datagram.
 */
public final class Port4500Demux {
    private Port4500Demux() {}

    /** Classifies the readable bytes of {@code payload} (a UDP payload), without consuming them. */
    public static Port4500Verdict classify(ByteBuf payload) {
        int length = payload.readableBytes();
        if (length < SPI_LENGTH) {
            return classifyShort(payload, length);
        }
        int spi = payload.getInt(payload.readerIndex());
        if (spi == 0) {
            return length >= NON_ESP_MARKER_LENGTH + IKE_HEADER_LENGTH
                    ? Port4500Verdict.IKE
                    : Port4500Verdict.DROP_TRUNCATED_IKE;
        }
        if (length < ESP_HEADER_LENGTH) {
            return Port4500Verdict.DROP_TRUNCATED_ESP;
        }
        // Compared unsigned: SPIs above 0x7fffffff are negative ints but perfectly valid.
        return Integer.compareUnsigned(spi, MAX_RESERVED_SPI) <= 0
                ? Port4500Verdict.DROP_RESERVED_SPI
                : Port4500Verdict.ESP;
    }

    /** The SPI of a datagram that {@link #classify} found to be {@link Port4500Verdict#ESP}. */
    public static int spi(ByteBuf espPayload) {
        return espPayload.getInt(espPayload.readerIndex());
    }

    /**
     * Puts the non-ESP marker in front of the IKE message readable in {@code ikeMessage}, in place: the
     * four zero octets go into the headroom before the reader index, which moves back over them.
     *
     * @throws IllegalArgumentException when the buffer has fewer than four octets of headroom
     */
    public static void prependNonEspMarker(ByteBuf ikeMessage) {
        int start = ikeMessage.readerIndex() - NON_ESP_MARKER_LENGTH;
        if (start < 0) {
            throw new IllegalArgumentException("IKE message needs " + NON_ESP_MARKER_LENGTH
                    + " octets of headroom for the non-ESP marker, has " + ikeMessage.readerIndex());
        }
        ikeMessage.setInt(start, 0);
        ikeMessage.readerIndex(start);
    }

    /**
     * Skips the non-ESP marker of a datagram that {@link #classify} found to be {@link
     * Port4500Verdict#IKE}, leaving the IKE message readable.
     */
    public static void skipNonEspMarker(ByteBuf ikeDatagram) {
        ikeDatagram.skipBytes(NON_ESP_MARKER_LENGTH);
    }

    private static Port4500Verdict classifyShort(ByteBuf payload, int length) {
        if (length == 0) {
            return Port4500Verdict.DROP_EMPTY;
        }
        if (length == KEEPALIVE_LENGTH) {
            return payload.getUnsignedByte(payload.readerIndex()) == KEEPALIVE_OCTET
                    ? Port4500Verdict.KEEPALIVE
                    : Port4500Verdict.DROP_BAD_KEEPALIVE;
        }
        return Port4500Verdict.DROP_TRUNCATED_SPI;
    }
}
