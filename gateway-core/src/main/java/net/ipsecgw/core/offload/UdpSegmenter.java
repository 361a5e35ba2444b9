package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Software USO for packets read from a TUN device with {@code TUNSETOFFLOAD(... | TUN_F_USO4 |
 * TUN_F_USO6)}: cuts a {@link VirtioNetHeader#GSO_UDP_L4} super-packet (what a socket sends with
 * {@code UDP_SEGMENT}, or what GRO made of a datagram train) into the datagrams the kernel's
 * {@code __udp_gso_segment} would have sent.
 *
 * <p>Each datagram gets a copy of the IP and UDP headers and {@code gso_size} payload bytes (the last
 * one what remains); then its IPv4 total length, identification (incremented per datagram, as the
 * kernel does for UDP GSO) and header checksum, or its IPv6 payload length, its UDP length and its full
 * UDP checksum (RFC 768, RFC 8200 §8.1; a result of 0 is sent as 0xffff) are set: the datagrams are
 * encrypted next, so nothing may be left for later. The headers end at {@code csum_start} + 8: the IPv4
 * header there must be as long as its IHL says, carry UDP, not be a fragment, and its total length must
 * be the packet's; an IPv6 header may be followed by Hop-by-Hop, Routing and Destination Options
 * headers, which are walked (they must end at {@code csum_start} with UDP as the next header) and copied
 * unchanged, and its payload length must match. The super-packet's UDP length must cover it whole; so a
 * truncated read is refused rather than cut into a short last datagram. A super-packet that fits into
 * one datagram is fixed up in place.
 *
 * <p>Refused ({@link GsoSegmenter#MALFORMED}, packet released): a {@code gso_size} of 0, a
 * {@code hdr_len} beyond the packet, a {@code csum_offset} other than 6 with
 * {@link VirtioNetHeader#FLAG_NEEDS_CSUM}, headers that contradict the above, and more than
 * {@link #MAX_SEGMENTS} datagrams.
 *
 * <p>Ownership and allocation as in {@link TcpSegmenter}: {@link #segment} takes over the input buffer;
 * new datagrams are pooled direct buffers with {@code headroom} and {@code tailroom} free around them
 * and belong to the sink. Owned by one lane: call it on that lane's event loop only.
 */
public final class UdpSegmenter {
    /**
     * Most datagrams in one super-packet: the kernel's {@code UDP_MAX_SEGMENTS} (128 in current kernels,
     * 64 in older ones), which no UDP_SEGMENT send can exceed.
     */
    public static final int MAX_SEGMENTS = 128;

    static final int PROTO_UDP = 17;
    static final int UDP_HEADER = 8;
    /** csum_offset of a UDP checksum: {@code offsetof(struct udphdr, check)}. */
    static final int UDP_CHECKSUM = 6;

    private static final int IPV6_HOP_BY_HOP = 0;
    private static final int IPV6_ROUTING = 43;
    private static final int IPV6_DESTINATION_OPTIONS = 60;

    private final SegmentBuffers buffers;

    /**
     * @param allocator where datagrams come from (a pooled direct allocator in the data path)
     * @param headroom bytes to leave free before each new datagram
     * @param tailroom bytes to leave free after each new datagram
     */
    public UdpSegmenter(ByteBufAllocator allocator, int headroom, int tailroom) {
        this.buffers = new SegmentBuffers(allocator, headroom, tailroom);
    }

    /**
     * Hands the {@link VirtioNetHeader#GSO_UDP_L4} super-packet described by {@code header} (its readable
     * bytes: the IP packet after the virtio header) to {@code sink} as complete datagrams.
     *
     * @return the number of datagrams given to the sink, or {@link GsoSegmenter#MALFORMED}, or
     *     {@link GsoSegmenter#UNSUPPORTED} for another GSO type (nothing given to the sink, {@code packet}
     *     released)
     */
    public int segment(VirtioNetHeader header, ByteBuf packet, SegmentSink sink) {
        if (header.gsoProtocol() != VirtioNetHeader.GSO_UDP_L4) {
            packet.release();
            return GsoSegmenter.UNSUPPORTED;
        }
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        int udp = header.csumStart();
        int size = header.gsoSize();
        boolean valid = size > 0
                && header.hdrLen() <= length
                && (!header.needsChecksum() || header.csumOffset() == UDP_CHECKSUM)
                && headersMatch(packet, start, length, udp);
        int payload = length - udp - UDP_HEADER;
        if (!valid || payload > size * MAX_SEGMENTS) {
            packet.release();
            return GsoSegmenter.MALFORMED;
        }
        boolean v4 = (packet.getUnsignedByte(start) >>> 4) == 4;
        if (payload <= size) {
            finishDatagram(packet, start, udp, length, v4);
            sink.accept(packet);
            return 1;
        }
        try {
            return split(packet, start, udp, payload, size, v4, sink);
        } finally {
            packet.release();
        }
    }

    /** IP and UDP headers that end at {@code udp} + 8, describe a UDP packet and cover all of it. */
    private static boolean headersMatch(ByteBuf p, int start, int length, int udp) {
        if (udp < 20 || length < udp + UDP_HEADER || p.getUnsignedShort(start + udp + 4) != length - udp) {
            return false;
        }
        int first = p.getUnsignedByte(start);
        if ((first >>> 4) == 4) {
            boolean fragment = (p.getUnsignedShort(start + 6) & 0x3fff) != 0;
            return (first & 0x0f) * 4 == udp
                    && p.getUnsignedByte(start + 9) == PROTO_UDP
                    && !fragment
                    && p.getUnsignedShort(start + 2) == length;
        }
        return (first >>> 4) == 6
                && udp >= 40
                && p.getUnsignedShort(start + 4) == length - 40
                && extensionHeadersEndInUdp(p, start, udp);
    }

    /** Walks the IPv6 extension headers that may precede UDP; true when they end at {@code udp} in UDP. */
    private static boolean extensionHeadersEndInUdp(ByteBuf p, int start, int udp) {
        int next = p.getUnsignedByte(start + 6);
        int offset = 40;
        while (offset < udp) {
            if (next != IPV6_HOP_BY_HOP && next != IPV6_ROUTING && next != IPV6_DESTINATION_OPTIONS) {
                return false;
            }
            next = p.getUnsignedByte(start + offset);
            offset += (p.getUnsignedByte(start + offset + 1) + 1) * 8;
        }
        return offset == udp && next == PROTO_UDP;
    }

    private int split(ByteBuf p, int start, int udp, int payload, int size, boolean v4, SegmentSink sink) {
        int headers = udp + UDP_HEADER;
        int ipId = v4 ? p.getUnsignedShort(start + 4) : 0;
        int count = 0;
        for (int offset = 0; offset < payload; offset += size) {
            int chunk = Math.min(size, payload - offset);
            ByteBuf d = buffers.segment(p, start, headers, offset, chunk);
            int at = d.readerIndex();
            if (v4) {
                d.setShort(at + 4, ipId + count);
            }
            finishDatagram(d, at, udp, headers + chunk, v4);
            sink.accept(d);
            count++;
        }
        return count;
    }

    /** Sets the IP and UDP length fields and computes the IPv4 header checksum and the full UDP checksum. */
    private static void finishDatagram(ByteBuf d, int at, int udp, int datagramLength, boolean v4) {
        int udpLength = datagramLength - udp;
        long pseudo;
        if (v4) {
            d.setShort(at + 2, datagramLength);
            InternetChecksum.setIpv4HeaderChecksum(d, at);
            pseudo = InternetChecksum.pseudoHeaderIpv4(d, at, PROTO_UDP, udpLength);
        } else {
            d.setShort(at + 4, datagramLength - 40);
            pseudo = InternetChecksum.pseudoHeaderIpv6(d, at, PROTO_UDP, udpLength);
        }
        d.setShort(at + udp + 4, udpLength);
        d.setShort(at + udp + UDP_CHECKSUM, 0);
        long sum = InternetChecksum.sum(d, at + udp, udpLength, pseudo);
        d.setShort(at + udp + UDP_CHECKSUM, GsoSegmenter.nonZero(InternetChecksum.finish(sum)));
    }
}
