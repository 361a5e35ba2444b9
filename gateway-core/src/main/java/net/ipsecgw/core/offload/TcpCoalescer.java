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
 * <p>Every packet given to {@link #add} is owned by the coalescer. {@link #flush()} at the end of each
 * batch (before the lane's TUN writes are submitted) hands every held packet to the {@link TunOutput}. Each
 * output buffer's readable bytes are a virtio header followed by the IP packet; a packet passed on
 * alone gets an all-zero header written into its headroom when it has 10 bytes there. Super-packets
 * are pooled buffers from the allocator. A fixed number of flows is tracked; nothing else is allocated
 * per packet. Owned by one lane's event loop; not thread-safe.
 */
public final class TcpCoalescer {
    private static final int PROTO_TCP = 6;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;

    /** One flow's open super-packet (or its first, still untouched, segment). */
    private static final class Item {
        ByteBuf buf;
        boolean v6;
        long addr0;
        long addr1;
        long addr2;
        long addr3;
        int ports;
        int ack;
        int ipLength;
        int tcpLength;
        int gsoSize;
        int nextSeq;
        int segments;
        boolean closed;
        long openedAt;
    }

    private final ByteBufAllocator allocator;
    private final TunOutput output;
    private final Item[] items;
    private final VirtioNetHeader header = new VirtioNetHeader();
    private long clock;

    /**
     * @param allocator where super-packets and header-less copies come from (pooled, direct)
     * @param flows how many flows can have an open super-packet at once (the oldest is flushed to
     *     make room)
     * @param output where finished packets go
     */
    public TcpCoalescer(ByteBufAllocator allocator, int flows, TunOutput output) {
        if (flows < 1 || flows > 1024) {
            throw new IllegalArgumentException("flows " + flows + " is outside 1-1024");
        }
        this.allocator = allocator;
        this.output = output;
        this.items = new Item[flows];
        for (int i = 0; i < flows; i++) {
            items[i] = new Item();
        }
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
        Item item = find(packet, at, v6, ipLength);
        int tcpLength = (packet.getUnsignedByte(at + ipLength + 12) >>> 4) * 4;
        int flags = packet.getUnsignedByte(at + ipLength + 13);
        int payload = length - ipLength - tcpLength;
        boolean eligible = tcpLength >= 20
                && payload > 0
                && (flags & ~TCP_PSH) == TCP_ACK
                && checksumValid(packet, at, length, ipLength, v6);
        if (!eligible) {
            if (item != null) {
                emit(item);
            }
            passOn(packet);
            return;
        }
        if (item != null && canAppend(item, packet, at, tcpLength, payload)) {
            append(item, packet, at, tcpLength, payload, flags);
            return;
        }
        if (item != null) {
            emit(item);
        } else {
            item = freeItem();
        }
        open(item, packet, at, v6, ipLength, tcpLength, payload, flags);
    }

    /** Writes every held packet to the output: call at the end of each batch. */
    public void flush() {
        for (Item item : items) {
            if (item.buf != null) {
                emit(item);
            }
        }
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

    private static boolean checksumValid(ByteBuf p, int at, int length, int ipLength, boolean v6) {
        int l4 = length - ipLength;
        long pseudo = v6
                ? InternetChecksum.pseudoHeaderIpv6(p, at, PROTO_TCP, l4)
                : InternetChecksum.pseudoHeaderIpv4(p, at, PROTO_TCP, l4);
        return InternetChecksum.fold(InternetChecksum.sum(p, at + ipLength, l4, pseudo)) == 0xffff;
    }

    /** The open item of this packet's flow (addresses, ports), or null. */
    private Item find(ByteBuf p, int at, boolean v6, int ipLength) {
        int ports = p.getInt(at + ipLength);
        for (Item item : items) {
            if (item.buf != null && item.v6 == v6 && item.ports == ports && sameAddresses(item, p, at)) {
                return item;
            }
        }
        return null;
    }

    private static boolean sameAddresses(Item item, ByteBuf p, int at) {
        if (!item.v6) {
            return item.addr0 == p.getLong(at + 12);
        }
        return item.addr0 == p.getLong(at + 8)
                && item.addr1 == p.getLong(at + 16)
                && item.addr2 == p.getLong(at + 24)
                && item.addr3 == p.getLong(at + 32);
    }

    private Item freeItem() {
        Item oldest = items[0];
        for (Item item : items) {
            if (item.buf == null) {
                return item;
            }
            if (item.openedAt < oldest.openedAt) {
                oldest = item;
            }
        }
        emit(oldest);
        return oldest;
    }

    private void open(Item item, ByteBuf p, int at, boolean v6, int ipLength, int tcpLength, int payload, int flags) {
        item.buf = p;
        item.v6 = v6;
        if (v6) {
            item.addr0 = p.getLong(at + 8);
            item.addr1 = p.getLong(at + 16);
            item.addr2 = p.getLong(at + 24);
            item.addr3 = p.getLong(at + 32);
        } else {
            item.addr0 = p.getLong(at + 12);
        }
        item.ports = p.getInt(at + ipLength);
        item.ack = p.getInt(at + ipLength + 8);
        item.ipLength = ipLength;
        item.tcpLength = tcpLength;
        item.gsoSize = payload;
        item.nextSeq = p.getInt(at + ipLength + 4) + payload;
        item.segments = 1;
        item.closed = (flags & TCP_PSH) != 0;
        item.openedAt = clock++;
    }

    private static boolean canAppend(Item item, ByteBuf p, int at, int tcpLength, int payload) {
        ByteBuf head = item.buf;
        int h = head.readerIndex();
        int tcp = at + item.ipLength;
        int headTcp = h + item.ipLength;
        return !item.closed
                && tcpLength == item.tcpLength
                && payload <= item.gsoSize
                && p.getInt(tcp + 4) == item.nextSeq
                && p.getInt(tcp + 8) == item.ack
                && p.getUnsignedShort(tcp + 14) == head.getUnsignedShort(headTcp + 14)
                && head.readableBytes() + payload <= GroCoalescer.MAX_IP_LENGTH + (item.v6 ? 40 : 0)
                && GroCoalescer.sameIpFields(item.v6, head, h, p, at)
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

    private void append(Item item, ByteBuf p, int at, int tcpLength, int payload, int flags) {
        if (item.segments == 1) {
            item.buf = GroCoalescer.superPacket(allocator, item.buf);
        }
        item.buf.writeBytes(p, at + item.ipLength + tcpLength, payload);
        p.release();
        item.nextSeq += payload;
        item.segments++;
        if ((flags & TCP_PSH) != 0) {
            int flagsAt = item.buf.readerIndex() + item.ipLength + 13;
            item.buf.setByte(flagsAt, item.buf.getByte(flagsAt) | TCP_PSH);
            item.closed = true;
        }
        if (payload < item.gsoSize) {
            item.closed = true; // nothing may follow a short segment
        }
    }

    private void emit(Item item) {
        ByteBuf buf = item.buf;
        item.buf = null;
        if (item.segments == 1) {
            passOn(buf);
            return;
        }
        int at = buf.readerIndex();
        int length = buf.readableBytes();
        int l4 = length - item.ipLength;
        long pseudo;
        if (item.v6) {
            buf.setShort(at + 4, length - 40);
            pseudo = InternetChecksum.pseudoHeaderIpv6(buf, at, PROTO_TCP, l4);
        } else {
            buf.setShort(at + 2, length);
            InternetChecksum.setIpv4HeaderChecksum(buf, at);
            pseudo = InternetChecksum.pseudoHeaderIpv4(buf, at, PROTO_TCP, l4);
        }
        // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum; the kernel adds the rest.
        buf.setShort(at + item.ipLength + 16, InternetChecksum.fold(pseudo));
        header.set(
                VirtioNetHeader.FLAG_NEEDS_CSUM,
                item.v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                item.ipLength + item.tcpLength,
                item.gsoSize,
                item.ipLength,
                16);
        buf.readerIndex(at - VirtioNetHeader.SIZE);
        header.encode(buf, buf.readerIndex());
        output.write(buf);
    }

    /** Writes a packet alone, behind an all-zero virtio header (complete packet, no GSO). */
    private void passOn(ByteBuf packet) {
        output.write(GroCoalescer.withEmptyHeader(allocator, packet));
    }
}
