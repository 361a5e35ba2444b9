package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Software UDP GRO for packets written to a TUN device with USO ({@code TUNSETOFFLOAD(... | TUN_F_USO4 |
 * TUN_F_USO6)}, kernel 6.2 and later): merges consecutive datagrams of one flow into a super-packet,
 * written once with a virtio header that asks the kernel to treat it as GSO
 * ({@link VirtioNetHeader#GSO_UDP_L4}, {@code gso_size} = the first datagram's payload,
 * {@link VirtioNetHeader#FLAG_NEEDS_CSUM} with {@code csum_offset} 6 and the pseudo-header sum in the UDP
 * checksum field, as {@code CHECKSUM_PARTIAL} wants it). The super-packet's IPv4 total length or IPv6
 * payload length and its UDP length cover it whole; the kernel cuts it again where it must (forwarding,
 * a socket without {@code UDP_GRO}) or hands it on whole (a socket with {@code UDP_GRO}).
 *
 * <p>A datagram joins the open super-packet of its flow (IP version, addresses, ports) when the IP header
 * fields that GRO must keep agree (IPv4 TOS, TTL, DF; IPv6 traffic class, flow label, hop limit), its
 * payload is not empty and no larger than the first datagram's, no shorter datagram came before it, the
 * super-packet holds fewer than {@link #MAX_SEGMENTS} datagrams, and the result stays within 64 KB.
 * Because the kernel writes fresh checksums, each datagram's own UDP checksum is verified first: one that
 * fails, and an IPv4 datagram sent without a checksum (0), is passed on alone. IPv4 options and
 * fragments, IPv6 extension headers and packets whose length fields disagree are passed on alone too.
 * Within a flow the order is kept: a datagram that cannot join writes its flow's super-packet first, and
 * any other packet (it may be a fragment or carry extension headers) first writes the super-packets
 * between the same two addresses. Packets of different flows may overtake each other, as with GRO.
 *
 * <p>Ownership, output and allocation as in {@link TcpCoalescer}: every packet given to {@link #add} is
 * owned here until {@link #flush()} (at the end of each batch) or an earlier write hands it to the
 * {@link TunOutput}, behind a virtio header. A fixed number of flows is tracked; nothing else is
 * allocated per packet. Owned by one lane's event loop; not thread-safe.
 */
public final class UdpCoalescer {
    /**
     * Most datagrams in one super-packet: the {@code UDP_MAX_SEGMENTS} of kernels before 6.11 (later ones
     * allow 128), which the kernel checks for packets written to the device.
     */
    public static final int MAX_SEGMENTS = 64;

    private static final int PROTO_UDP = 17;
    private static final int UDP_HEADER = 8;

    /** One flow's open super-packet (or its first, still untouched, datagram). */
    private static final class Item {
        ByteBuf buf;
        boolean v6;
        long addr0;
        long addr1;
        long addr2;
        long addr3;
        int ports;
        int ipLength;
        int gsoSize;
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
     * @param flows how many flows can have an open super-packet at once (the oldest is written to make
     *     room)
     * @param output where finished packets go
     */
    public UdpCoalescer(ByteBufAllocator allocator, int flows, TunOutput output) {
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
            emitSameAddresses(packet, at, length);
            passOn(packet);
            return;
        }
        boolean v6 = ipLength == 40;
        Item item = find(packet, at, v6, ipLength);
        int payload = length - ipLength - UDP_HEADER;
        if (payload == 0 || !checksumValid(packet, at, length, ipLength, v6)) {
            if (item != null) {
                emit(item);
            }
            passOn(packet);
            return;
        }
        if (item != null && canAppend(item, packet, at, payload)) {
            append(item, packet, at, payload);
            return;
        }
        if (item != null) {
            emit(item);
        } else {
            item = freeItem();
        }
        open(item, packet, at, v6, ipLength, payload);
    }

    /** Writes every held packet to the output: call at the end of each batch. */
    public void flush() {
        for (Item item : items) {
            if (item.buf != null) {
                emit(item);
            }
        }
    }

    /** The IP header length of a plain UDP datagram that may be merged, or -1. */
    private static int candidateIpHeaderLength(ByteBuf p, int at, int length) {
        if (length < 28) {
            return -1;
        }
        int first = p.getUnsignedByte(at);
        if (first == 0x45) {
            boolean fragment = (p.getUnsignedShort(at + 6) & 0x3fff) != 0;
            boolean ok = p.getUnsignedByte(at + 9) == PROTO_UDP
                    && !fragment
                    && p.getUnsignedShort(at + 2) == length
                    && p.getUnsignedShort(at + 24) == length - 20;
            return ok ? 20 : -1;
        }
        if ((first >>> 4) == 6 && length >= 48) {
            boolean ok = p.getUnsignedByte(at + 6) == PROTO_UDP
                    && p.getUnsignedShort(at + 4) == length - 40
                    && p.getUnsignedShort(at + 44) == length - 40;
            return ok ? 40 : -1;
        }
        return -1;
    }

    /** A checksum is present (not 0) and the datagram sums to it. */
    private static boolean checksumValid(ByteBuf p, int at, int length, int ipLength, boolean v6) {
        if (p.getUnsignedShort(at + ipLength + 6) == 0) {
            return false;
        }
        int l4 = length - ipLength;
        long pseudo = v6
                ? InternetChecksum.pseudoHeaderIpv6(p, at, PROTO_UDP, l4)
                : InternetChecksum.pseudoHeaderIpv4(p, at, PROTO_UDP, l4);
        return InternetChecksum.fold(InternetChecksum.sum(p, at + ipLength, l4, pseudo)) == 0xffff;
    }

    /** The open item of this datagram's flow (addresses, ports), or null. */
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

    /** Before a packet that is not merged goes out: writes what is held between the same addresses. */
    private void emitSameAddresses(ByteBuf p, int at, int length) {
        if (length < 20) {
            return;
        }
        int version = p.getUnsignedByte(at) >>> 4;
        boolean v6 = version == 6;
        if (!(version == 4 || (v6 && length >= 40))) {
            return;
        }
        for (Item item : items) {
            if (item.buf != null && item.v6 == v6 && sameAddresses(item, p, at)) {
                emit(item);
            }
        }
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

    private void open(Item item, ByteBuf p, int at, boolean v6, int ipLength, int payload) {
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
        item.ipLength = ipLength;
        item.gsoSize = payload;
        item.segments = 1;
        item.closed = false;
        item.openedAt = clock++;
    }

    private static boolean canAppend(Item item, ByteBuf p, int at, int payload) {
        ByteBuf head = item.buf;
        return !item.closed
                && payload <= item.gsoSize
                && item.segments < MAX_SEGMENTS
                && head.readableBytes() + payload <= GroCoalescer.MAX_IP_LENGTH + (item.v6 ? 40 : 0)
                && GroCoalescer.sameIpFields(item.v6, head, head.readerIndex(), p, at);
    }

    private void append(Item item, ByteBuf p, int at, int payload) {
        if (item.segments == 1) {
            item.buf = GroCoalescer.superPacket(allocator, item.buf);
        }
        item.buf.writeBytes(p, at + item.ipLength + UDP_HEADER, payload);
        p.release();
        item.segments++;
        if (payload < item.gsoSize) {
            item.closed = true; // nothing may follow a short datagram
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
            buf.setShort(at + 4, l4);
            pseudo = InternetChecksum.pseudoHeaderIpv6(buf, at, PROTO_UDP, l4);
        } else {
            buf.setShort(at + 2, length);
            InternetChecksum.setIpv4HeaderChecksum(buf, at);
            pseudo = InternetChecksum.pseudoHeaderIpv4(buf, at, PROTO_UDP, l4);
        }
        buf.setShort(at + item.ipLength + 4, l4);
        // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum; the kernel adds the rest.
        buf.setShort(at + item.ipLength + 6, InternetChecksum.fold(pseudo));
        header.set(
                VirtioNetHeader.FLAG_NEEDS_CSUM,
                VirtioNetHeader.GSO_UDP_L4,
                item.ipLength + UDP_HEADER,
                item.gsoSize,
                item.ipLength,
                6);
        buf.readerIndex(at - VirtioNetHeader.SIZE);
        header.encode(buf, buf.readerIndex());
        output.write(buf);
    }

    /** Writes a packet alone, behind an all-zero virtio header (complete packet, no GSO). */
    private void passOn(ByteBuf packet) {
        output.write(GroCoalescer.withEmptyHeader(allocator, packet));
    }
}
