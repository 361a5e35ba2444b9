package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The entry point for every packet read from a TUN queue with offloads ({@code IFF_VNET_HDR},
 * {@link TunOffloadControl#enableOffload(int)}): turns what follows the virtio header into complete IP
 * packets with final checksums, as the kernel's software GSO and {@code skb_checksum_help} would have.
 *
 * <ul>
 *   <li>{@link VirtioNetHeader#GSO_NONE}: the packet is handed on as it is; with
 *       {@link VirtioNetHeader#FLAG_NEEDS_CSUM} its transport checksum is completed first (the field
 *       holds the pseudo-header sum; the sum from {@code csum_start} to the end is stored complemented,
 *       0 as 0xffff, as {@code skb_checksum_help} does: for UDP 0 would mean "no checksum", and the two
 *       are the same one's-complement value for TCP).
 *   <li>{@link VirtioNetHeader#GSO_TCPV4}, {@link VirtioNetHeader#GSO_TCPV6}: {@link TcpSegmenter}.
 *   <li>{@link VirtioNetHeader#GSO_UDP_L4}: {@link UdpSegmenter}.
 *   <li>anything else (UFO, which the gateway never enables): {@link #UNSUPPORTED}.
 * </ul>
 *
 * <p>Ownership: {@link #segment} takes over the input buffer; what it gives the {@link SegmentSink}
 * belongs to the sink; a packet it refuses is released. Never throws for a packet's content. Owned by
 * one lane: call it on that lane's event loop only.
 */
public final class GsoSegmenter {
    /** Result: the packet is too short or its headers contradict the virtio header; it was released. */
    public static final int MALFORMED = -1;
    /** Result: a GSO type that is not segmented here; the packet was released. */
    public static final int UNSUPPORTED = -2;

    private final TcpSegmenter tcp;
    private final UdpSegmenter udp;

    /**
     * @param allocator where segments come from (a pooled direct allocator in the data path)
     * @param headroom bytes to leave free before each new segment
     * @param tailroom bytes to leave free after each new segment
     */
    public GsoSegmenter(ByteBufAllocator allocator, int headroom, int tailroom) {
        this.tcp = new TcpSegmenter(allocator, headroom, tailroom);
        this.udp = new UdpSegmenter(allocator, headroom, tailroom);
    }

    /**
     * Hands the packet described by {@code header} (its readable bytes: the IP packet after the virtio
     * header) to {@code sink} as one or more complete packets.
     *
     * @return the number of packets given to the sink, or {@link #MALFORMED} or {@link #UNSUPPORTED}
     *     (nothing given to the sink, {@code packet} released)
     */
    public int segment(VirtioNetHeader header, ByteBuf packet, SegmentSink sink) {
        return switch (header.gsoProtocol()) {
            case VirtioNetHeader.GSO_NONE -> passOn(header, packet, sink);
            case VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.GSO_TCPV6 -> tcp.segment(header, packet, sink);
            case VirtioNetHeader.GSO_UDP_L4 -> udp.segment(header, packet, sink);
            default -> {
                packet.release();
                yield UNSUPPORTED;
            }
        };
    }

    private static int passOn(VirtioNetHeader header, ByteBuf packet, SegmentSink sink) {
        if (header.needsChecksum()) {
            int length = packet.readableBytes();
            int at = header.csumStart() + header.csumOffset();
            if (header.csumStart() >= length || at + 2 > length) {
                packet.release();
                return MALFORMED;
            }
            int start = packet.readerIndex();
            long sum = InternetChecksum.sum(packet, start + header.csumStart(), length - header.csumStart(), 0);
            packet.setShort(start + at, nonZero(InternetChecksum.finish(sum)));
        }
        sink.accept(packet);
        return 1;
    }

    /**
     * A computed transport checksum as it is stored: 0 becomes 0xffff (RFC 768: 0 means "no checksum"
     * for UDP over IPv4 and is not allowed over IPv6, RFC 8200 §8.1; for TCP both are the same value).
     */
    static int nonZero(int checksum) {
        return checksum == 0 ? 0xffff : checksum;
    }
}
