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
 * <p>The flow table, the checksum check and the way a super-packet leaves are {@link FlowCoalescer}'s.
 * Ownership, output and allocation as in {@link TcpCoalescer}: every packet given to {@link #add} is
 * owned here until {@link #flush()} (at the end of each batch) or an earlier write hands it to the
 * {@link TunOutput}, behind a virtio header. A fixed number of flows is tracked; nothing else is
 * allocated per packet. Owned by one lane's event loop; not thread-safe.
 */
public final class UdpCoalescer extends FlowCoalescer {
    /**
     * Most datagrams in one super-packet: the {@code UDP_MAX_SEGMENTS} of kernels before 6.11 (later ones
     * allow 128), which the kernel checks for packets written to the device.
     */
    public static final int MAX_SEGMENTS = 64;

    private static final int PROTO_UDP = 17;
    private static final int UDP_HEADER = 8;

    /**
     * @param allocator where super-packets and header-less copies come from (pooled, direct)
     * @param flows how many flows can have an open super-packet at once (the oldest is written to make
     *     room)
     * @param output where finished packets go
     */
    public UdpCoalescer(ByteBufAllocator allocator, int flows, TunOutput output) {
        super(allocator, flows, output, PROTO_UDP, Flow::new);
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
        Flow flow = find(packet, at, v6, ipLength);
        int payload = length - ipLength - UDP_HEADER;
        // a datagram sent without a checksum (IPv4, 0) must not get one from the kernel's GSO
        boolean checksummed = packet.getUnsignedShort(at + ipLength + 6) != 0;
        if (payload == 0 || !checksummed || !checksumValid(packet, at, length, ipLength, v6)) {
            if (flow != null) {
                emit(flow);
            }
            passOn(packet);
            return;
        }
        if (flow != null && canAppend(flow, packet, at, payload)) {
            append(flow, packet, at + ipLength + UDP_HEADER, payload);
            return;
        }
        if (flow != null) {
            emit(flow);
        } else {
            flow = freeFlow();
        }
        open(flow, packet, at, v6, ipLength, payload);
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

    private static boolean canAppend(Flow flow, ByteBuf p, int at, int payload) {
        ByteBuf head = flow.buf;
        return !flow.closed
                && payload <= flow.gsoSize
                && flow.segments < MAX_SEGMENTS
                && fits(flow, payload)
                && GroCoalescer.sameIpFields(flow.v6, head, head.readerIndex(), p, at);
    }

    @Override
    void emit(Flow flow) {
        ByteBuf buf = take(flow);
        if (buf == null) {
            return;
        }
        buf.setShort(buf.readerIndex() + flow.ipLength + 4, buf.readableBytes() - flow.ipLength);
        writeGso(flow, buf, VirtioNetHeader.GSO_UDP_L4, flow.ipLength + UDP_HEADER, 6);
    }
}
