package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Software GRO for packets written to a TUN device opened with {@code IFF_VNET_HDR} and
 * {@code TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)}: merges consecutive in-order TCP segments
 * of one flow into a super-packet of up to 64 KB, written once with a virtio header that asks the
 * kernel to treat it as GSO ({@link VirtioNetHeader#GSO_TCPV4} / {@link VirtioNetHeader#GSO_TCPV6},
 * {@code gso_size} = the first segment's payload, {@link VirtioNetHeader#FLAG_NEEDS_CSUM} with the
 * pseudo-header sum in the TCP checksum field, as {@code CHECKSUM_PARTIAL} wants it).
 *
 * <p>A segment joins an open super-packet of its flow when it carries the same addresses, ports,
 * acknowledgment number, window, TCP header (options included, byte for byte) and IP header fields that
 * GRO must keep (IPv4 TOS, TTL, DF; IPv6 traffic class, flow label, hop limit), when its sequence number
 * is the next expected one, its payload is no larger than the first segment's, and the result stays
 * within 64 KB; only ACK and PSH may be set, and a PSH or a short segment ends the super-packet, the
 * rules of the kernel's {@code tcp_gro_receive}. Because the kernel will write fresh checksums, each
 * segment's own TCP checksum is verified before it is merged: a segment that fails is passed on alone,
 * for the kernel to drop. IPv4 options, IPv6 extension headers, fragments and other protocols are passed
 * on alone. Within a flow the order is kept (a packet that cannot join flushes its flow first); packets
 * of different flows may overtake each other, as with GRO. {@link GroCoalescer}, the lane's entry point,
 * hands it the TCP packets.
 *
 * <p>The flow table, the checksum check and the way a super-packet leaves are {@link FlowCoalescer}'s.
 * Every packet given to {@link #add} is owned by the coalescer. {@link #flush()} at the end of each
 * batch (before the lane's TUN writes are submitted) hands every held packet to the {@link TunOutput}. Each
 * output buffer's readable bytes are a virtio header followed by the IP packet; a packet passed on
 * alone gets an all-zero header written into its headroom when it has 10 bytes there. Super-packets
 * are pooled buffers from the allocator. A fixed number of flows is tracked; nothing else is allocated
 * per packet. Owned by one lane's event loop; not thread-safe.
 */
public final class TcpCoalescer extends FlowCoalescer {
    private static final int PROTO_TCP = 6;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;

    /** A TCP flow: what its next segment must carry. */
    private static final class TcpFlow extends Flow {
        int ack;
        int tcpLength;
        int nextSeq;
    }

    /**
     * @param allocator where super-packets and header-less copies come from (pooled, direct)
     * @param flows how many flows can have an open super-packet at once (the oldest is flushed to
     *     make room)
     * @param output where finished packets go
     */
    public TcpCoalescer(ByteBufAllocator allocator, int flows, TunOutput output) {
        super(allocator, flows, output, PROTO_TCP, TcpFlow::new);
    }

    /** Takes {@code packet} (its readable bytes: one IP packet with complete checksums). */
    public void add(ByteBuf packet) {
        int at = packet.readerIndex();
        int length = packet.readableBytes();
        int ipLength = candidateIpHeaderLength(packet, at, length);
        if (ipLength < 0) {
            passOn(packet);
            return;
        }
        boolean v6 = ipLength == 40;
        TcpFlow flow = (TcpFlow) find(packet, at, v6, ipLength);
        int tcpLength = (packet.getUnsignedByte(at + ipLength + 12) >>> 4) * 4;
        int flags = packet.getUnsignedByte(at + ipLength + 13);
        int payload = length - ipLength - tcpLength;
        boolean eligible = tcpLength >= 20
                && payload > 0
                && (flags & ~TCP_PSH) == TCP_ACK
                && checksumValid(packet, at, length, ipLength, v6);
        if (!eligible) {
            if (flow != null) {
                emit(flow);
            }
            passOn(packet);
            return;
        }
        if (flow != null && canAppend(flow, packet, at, tcpLength, payload)) {
            append(flow, packet, at, tcpLength, payload, flags);
            return;
        }
        if (flow != null) {
            emit(flow);
        } else {
            flow = (TcpFlow) freeFlow();
        }
        open(flow, packet, at, v6, ipLength, tcpLength, payload, flags);
    }

    /** The IP header length of a plain TCP packet that may be merged, or -1. */
    private static int candidateIpHeaderLength(ByteBuf p, int at, int length) {
        if (length < 40) {
            return -1;
        }
        int first = p.getUnsignedByte(at);
        if (first == 0x45) {
            boolean fragment = (p.getUnsignedShort(at + 6) & 0x3fff) != 0;
            boolean ok = p.getUnsignedByte(at + 9) == PROTO_TCP && !fragment && p.getUnsignedShort(at + 2) == length;
            return ok ? 20 : -1;
        }
        if ((first >>> 4) == 6 && length >= 60) {
            boolean ok = p.getUnsignedByte(at + 6) == PROTO_TCP && p.getUnsignedShort(at + 4) == length - 40;
            return ok ? 40 : -1;
        }
        return -1;
    }

    private void open(
            TcpFlow flow, ByteBuf p, int at, boolean v6, int ipLength, int tcpLength, int payload, int flags) {
        open(flow, p, at, v6, ipLength, payload);
        flow.ack = p.getInt(at + ipLength + 8);
        flow.tcpLength = tcpLength;
        flow.nextSeq = p.getInt(at + ipLength + 4) + payload;
        flow.closed = (flags & TCP_PSH) != 0;
    }

    private static boolean canAppend(TcpFlow flow, ByteBuf p, int at, int tcpLength, int payload) {
        ByteBuf head = flow.buf;
        int h = head.readerIndex();
        int tcp = at + flow.ipLength;
        int headTcp = h + flow.ipLength;
        return !flow.closed
                && tcpLength == flow.tcpLength
                && payload <= flow.gsoSize
                && p.getInt(tcp + 4) == flow.nextSeq
                && p.getInt(tcp + 8) == flow.ack
                && p.getUnsignedShort(tcp + 14) == head.getUnsignedShort(headTcp + 14)
                && fits(flow, payload)
                && GroCoalescer.sameIpFields(flow.v6, head, h, p, at)
                && sameBytes(head, headTcp + 20, p, tcp + 20, tcpLength - 20);
    }

    private static boolean sameBytes(ByteBuf a, int ai, ByteBuf b, int bi, int length) {
        for (int i = 0; i < length; i += 4) {
            if (a.getInt(ai + i) != b.getInt(bi + i)) {
                return false;
            }
        }
        return true;
    }

    private void append(TcpFlow flow, ByteBuf p, int at, int tcpLength, int payload, int flags) {
        append(flow, p, at + flow.ipLength + tcpLength, payload);
        flow.nextSeq += payload;
        if ((flags & TCP_PSH) != 0) {
            int flagsAt = flow.buf.readerIndex() + flow.ipLength + 13;
            flow.buf.setByte(flagsAt, flow.buf.getByte(flagsAt) | TCP_PSH);
            flow.closed = true;
        }
    }

    @Override
    void emit(Flow flow) {
        ByteBuf buf = take(flow);
        if (buf == null) {
            return;
        }
        int gsoType = flow.v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4;
        writeGso(flow, buf, gsoType, flow.ipLength + ((TcpFlow) flow).tcpLength, 16);
    }
}
