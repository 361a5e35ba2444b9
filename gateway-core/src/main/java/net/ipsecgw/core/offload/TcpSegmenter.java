package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Software GSO for packets read from a TUN device opened with {@code IFF_VNET_HDR} and
 * {@code TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)}: cuts a TCP super-packet into the
 * segments the kernel's {@code tcp_gso_segment} would have sent, with complete checksums.
 *
 * <p>For {@link VirtioNetHeader#GSO_TCPV4} / {@link VirtioNetHeader#GSO_TCPV6} each segment gets a copy
 * of the IP and TCP headers and at most {@code gso_size} payload bytes; then its IPv4 total length (and
 * identification, incremented per segment, and header checksum) or IPv6 payload length, its TCP
 * sequence number (advanced by the payload offset), its flags (FIN and PSH only on the last segment,
 * CWR only on the first, as the kernel does) and its full TCP checksum (RFC 9293 §3.1) are set. The
 * header length is taken from {@code csum_start} and the TCP data offset, not from {@code hdr_len},
 * which the kernel may set to the whole first packet on its forwarding path. IPv6 extension headers
 * between the fixed header and TCP are copied unchanged (the pseudo-header uses the fixed header's
 * destination; a Routing header is not interpreted).
 *
 * <p>{@link GsoSegmenter} is the entry point for every packet read: it hands TCP super-packets here
 * and completes the checksum of packets that are not GSO itself.
 *
 * <p>Ownership: {@link #segment} takes over the input buffer. Every buffer given to the
 * {@link SegmentSink} belongs to the sink. New segments are pooled direct buffers from the allocator
 * with {@code headroom} bytes before and {@code tailroom} bytes after the packet, so ESP can be built
 * in place. Nothing else is allocated per packet.
 *
 * <p>Owned by one lane: call it on that lane's event loop only. Holds no per-packet state between
 * calls, but is not meant to be shared.
 */
public final class TcpSegmenter {
    static final int PROTO_TCP = 6;
    static final int TCP_FIN = 0x01;
    static final int TCP_PSH = 0x08;
    static final int TCP_CWR = 0x80;

    private final SegmentBuffers buffers;

    /**
     * @param allocator where segments come from (a pooled direct allocator in the data path)
     * @param headroom bytes to leave free before each new segment
     * @param tailroom bytes to leave free after each new segment
     */
    public TcpSegmenter(ByteBufAllocator allocator, int headroom, int tailroom) {
        this.buffers = new SegmentBuffers(allocator, headroom, tailroom);
    }

    /**
     * Hands the packet described by {@code header} (its readable bytes: the IP packet after the virtio
     * header) to {@code sink} as one or more complete packets.
     *
     * @return the number of packets given to the sink, or {@link GsoSegmenter#MALFORMED}, or
     *     {@link GsoSegmenter#UNSUPPORTED} for a GSO type other than TCP (nothing given to the sink,
     *     {@code packet} released)
     */
    public int segment(VirtioNetHeader header, ByteBuf packet, SegmentSink sink) {
        int gso = header.gsoProtocol();
        if (gso != VirtioNetHeader.GSO_TCPV4 && gso != VirtioNetHeader.GSO_TCPV6) {
            packet.release();
            return GsoSegmenter.UNSUPPORTED;
        }
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        int tcp = header.csumStart();
        boolean v4 = gso == VirtioNetHeader.GSO_TCPV4;
        if (!ipHeaderMatches(packet, start, length, tcp, v4) || header.gsoSize() == 0) {
            packet.release();
            return GsoSegmenter.MALFORMED;
        }
        int headers = tcp + tcpHeaderLength(packet, start + tcp);
        if (headers < tcp + 20 || headers > length) {
            packet.release();
            return GsoSegmenter.MALFORMED;
        }
        if (length - headers <= header.gsoSize()) {
            finishSegment(packet, start, tcp, length, v4);
            sink.accept(packet);
            return 1;
        }
        try {
            return split(packet, start, length, tcp, headers, header.gsoSize(), v4, sink);
        } finally {
            packet.release();
        }
    }

    /** The IP header is of the version the GSO type says, carries TCP, and ends where TCP starts. */
    private static boolean ipHeaderMatches(ByteBuf p, int start, int length, int tcp, boolean v4) {
        if (length < tcp + 20) {
            return false;
        }
        int version = p.getUnsignedByte(start) >>> 4;
        if (v4) {
            int ihl = (p.getUnsignedByte(start) & 0x0f) * 4;
            boolean fragment = (p.getUnsignedShort(start + 6) & 0x3fff) != 0;
            return version == 4 && ihl == tcp && ihl >= 20 && p.getUnsignedByte(start + 9) == PROTO_TCP && !fragment;
        }
        // Extension headers may sit between the fixed header and TCP; they are copied as they are.
        return version == 6 && tcp >= 40 && (tcp > 40 || p.getUnsignedByte(start + 6) == PROTO_TCP);
    }

    private static int tcpHeaderLength(ByteBuf p, int tcpIndex) {
        return (p.getUnsignedByte(tcpIndex + 12) >>> 4) * 4;
    }

    private int split(ByteBuf p, int start, int length, int tcp, int headers, int mss, boolean v4, SegmentSink sink) {
        int payload = length - headers;
        int ipId = v4 ? p.getUnsignedShort(start + 4) : 0;
        long seq = p.getUnsignedInt(start + tcp + 4);
        int flags = p.getUnsignedByte(start + tcp + 13);
        int count = 0;
        for (int offset = 0; offset < payload; offset += mss) {
            int chunk = Math.min(mss, payload - offset);
            ByteBuf s = buffers.segment(p, start, headers, offset, chunk);
            int at = s.readerIndex();
            if (v4) {
                s.setShort(at + 4, ipId + count);
            }
            s.setInt(at + tcp + 4, (int) (seq + offset));
            s.setByte(at + tcp + 13, segmentFlags(flags, count == 0, offset + chunk == payload));
            finishSegment(s, at, tcp, headers + chunk, v4);
            sink.accept(s);
            count++;
        }
        return count;
    }

    /** The kernel's rule: FIN and PSH stay on the last segment only, CWR on the first only. */
    static int segmentFlags(int flags, boolean first, boolean last) {
        int f = flags;
        if (!last) {
            f &= ~(TCP_FIN | TCP_PSH);
        }
        if (!first) {
            f &= ~TCP_CWR;
        }
        return f;
    }

    /** Sets the IP length fields and computes the IPv4 header checksum and the full TCP checksum. */
    private static void finishSegment(ByteBuf s, int at, int tcp, int segmentLength, boolean v4) {
        int tcpLength = segmentLength - tcp;
        long pseudo;
        if (v4) {
            s.setShort(at + 2, segmentLength);
            InternetChecksum.setIpv4HeaderChecksum(s, at);
            pseudo = InternetChecksum.pseudoHeaderIpv4(s, at, PROTO_TCP, tcpLength);
        } else {
            s.setShort(at + 4, segmentLength - 40);
            pseudo = InternetChecksum.pseudoHeaderIpv6(s, at, PROTO_TCP, tcpLength);
        }
        s.setShort(at + tcp + 16, 0);
        s.setShort(at + tcp + 16, InternetChecksum.finish(InternetChecksum.sum(s, at + tcp, tcpLength, pseudo)));
    }
}
