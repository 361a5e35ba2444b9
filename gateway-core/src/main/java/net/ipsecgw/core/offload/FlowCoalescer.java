package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Supplier;

/**
 * What {@link TcpCoalescer} and {@link UdpCoalescer} share: a fixed table of flows, each with at most
 * one open super-packet, looked up by IP version, addresses and ports; the oldest flow written out to
 * make room; the checksum check a packet passes before it may be merged; and the way a finished
 * super-packet leaves (IP lengths, the pseudo-header sum for {@code CHECKSUM_PARTIAL}, a virtio header
 * asking for GSO). The subclass decides which packets join and writes its transport header's fields.
 *
 * <p>Owned by one lane's event loop; not thread-safe; nothing allocated per packet beyond the pooled
 * super-packet buffers.
 */
abstract class FlowCoalescer {
    /** One flow's open super-packet (or its first, still untouched, packet). */
    static class Flow {
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

    final ByteBufAllocator allocator;
    private final TunOutput output;
    private final Flow[] flows;
    private final VirtioNetHeader header = new VirtioNetHeader();
    private final int protocol;
    private long clock;

    /**
     * @param allocator where super-packets and header-less copies come from (pooled, direct)
     * @param flows how many flows can have an open super-packet at once (the oldest is written to make
     *     room)
     * @param output where finished packets go
     * @param protocol the IP protocol number merged (6 or 17), for the pseudo-header
     * @param newFlow makes the table's entries
     */
    FlowCoalescer(ByteBufAllocator allocator, int flows, TunOutput output, int protocol, Supplier<Flow> newFlow) {
        if (flows < 1 || flows > 1024) {
            throw new IllegalArgumentException("flows " + flows + " is outside 1-1024");
        }
        this.allocator = allocator;
        this.output = output;
        this.protocol = protocol;
        this.flows = new Flow[flows];
        for (int i = 0; i < flows; i++) {
            this.flows[i] = newFlow.get();
        }
    }

    /** Writes every held packet to the output: call at the end of each batch. */
    public final void flush() {
        for (Flow flow : flows) {
            if (flow.buf != null) {
                emit(flow);
            }
        }
    }

    /** Writes {@code flow}'s held packet out and leaves the flow free. */
    abstract void emit(Flow flow);

    /** The packet's transport header sums, with the pseudo-header, to its checksum. */
    final boolean checksumValid(ByteBuf p, int at, int length, int ipLength, boolean v6) {
        int l4 = length - ipLength;
        long pseudo = v6
                ? InternetChecksum.pseudoHeaderIpv6(p, at, protocol, l4)
                : InternetChecksum.pseudoHeaderIpv4(p, at, protocol, l4);
        return InternetChecksum.fold(InternetChecksum.sum(p, at + ipLength, l4, pseudo)) == 0xffff;
    }

    /** The open flow of this packet (addresses, ports), or null. */
    final Flow find(ByteBuf p, int at, boolean v6, int ipLength) {
        int ports = p.getInt(at + ipLength);
        for (Flow flow : flows) {
            if (flow.buf != null && flow.v6 == v6 && flow.ports == ports && sameAddresses(flow, p, at)) {
                return flow;
            }
        }
        return null;
    }

    /** Writes out the super-packets held between the addresses of the IP packet at {@code at}. */
    final void emitSameAddresses(ByteBuf p, int at, int length) {
        if (length < 20) {
            return;
        }
        int version = p.getUnsignedByte(at) >>> 4;
        boolean v6 = version == 6;
        if (!(version == 4 || (v6 && length >= 40))) {
            return;
        }
        for (Flow flow : flows) {
            if (flow.buf != null && flow.v6 == v6 && sameAddresses(flow, p, at)) {
                emit(flow);
            }
        }
    }

    private static boolean sameAddresses(Flow flow, ByteBuf p, int at) {
        if (!flow.v6) {
            return flow.addr0 == p.getLong(at + 12);
        }
        return flow.addr0 == p.getLong(at + 8)
                && flow.addr1 == p.getLong(at + 16)
                && flow.addr2 == p.getLong(at + 24)
                && flow.addr3 == p.getLong(at + 32);
    }

    /** A free flow, or the oldest one written out. */
    final Flow freeFlow() {
        Flow oldest = flows[0];
        for (Flow flow : flows) {
            if (flow.buf == null) {
                return flow;
            }
            if (flow.openedAt < oldest.openedAt) {
                oldest = flow;
            }
        }
        emit(oldest);
        return oldest;
    }

    /** Opens {@code flow} with {@code p} as its first packet; the subclass sets its own fields after. */
    final void open(Flow flow, ByteBuf p, int at, boolean v6, int ipLength, int payload) {
        flow.buf = p;
        flow.v6 = v6;
        if (v6) {
            flow.addr0 = p.getLong(at + 8);
            flow.addr1 = p.getLong(at + 16);
            flow.addr2 = p.getLong(at + 24);
            flow.addr3 = p.getLong(at + 32);
        } else {
            flow.addr0 = p.getLong(at + 12);
        }
        flow.ports = p.getInt(at + ipLength);
        flow.ipLength = ipLength;
        flow.gsoSize = payload;
        flow.segments = 1;
        flow.closed = false;
        flow.openedAt = clock++;
    }

    /** Room for {@code payload} more bytes in {@code flow}'s super-packet, within 64 KB of IP. */
    static boolean fits(Flow flow, int payload) {
        return flow.buf.readableBytes() + payload <= GroCoalescer.MAX_IP_LENGTH + (flow.v6 ? 40 : 0);
    }

    /** Appends {@code payload} bytes of {@code p} from {@code from} to the flow and releases {@code p}. */
    final void append(Flow flow, ByteBuf p, int from, int payload) {
        if (flow.segments == 1) {
            flow.buf = GroCoalescer.superPacket(allocator, flow.buf);
        }
        flow.buf.writeBytes(p, from, payload);
        p.release();
        flow.segments++;
        if (payload < flow.gsoSize) {
            flow.closed = true; // nothing may follow a short packet
        }
    }

    /**
     * Takes {@code flow}'s packet out of the table. A packet never merged is passed on alone and null
     * returned; a super-packet is returned with its IP lengths set (and its IPv4 header checksum), for the
     * subclass to write its transport header and hand it to {@link #writeGso}.
     */
    final ByteBuf take(Flow flow) {
        ByteBuf buf = flow.buf;
        flow.buf = null;
        if (flow.segments == 1) {
            passOn(buf);
            return null;
        }
        int at = buf.readerIndex();
        if (flow.v6) {
            buf.setShort(at + 4, buf.readableBytes() - 40);
        } else {
            buf.setShort(at + 2, buf.readableBytes());
            InternetChecksum.setIpv4HeaderChecksum(buf, at);
        }
        return buf;
    }

    /**
     * Writes a finished super-packet behind a virtio header asking for GSO, as {@code CHECKSUM_PARTIAL}:
     * the checksum field, {@code csumOffset} into the transport header, gets the folded pseudo-header
     * sum and the kernel adds the rest.
     */
    final void writeGso(Flow flow, ByteBuf buf, int gsoType, int headerLength, int csumOffset) {
        int at = buf.readerIndex();
        int l4 = buf.readableBytes() - flow.ipLength;
        long pseudo = flow.v6
                ? InternetChecksum.pseudoHeaderIpv6(buf, at, protocol, l4)
                : InternetChecksum.pseudoHeaderIpv4(buf, at, protocol, l4);
        buf.setShort(at + flow.ipLength + csumOffset, InternetChecksum.fold(pseudo));
        header.set(VirtioNetHeader.FLAG_NEEDS_CSUM, gsoType, headerLength, flow.gsoSize, flow.ipLength, csumOffset);
        buf.readerIndex(at - VirtioNetHeader.SIZE);
        header.encode(buf, buf.readerIndex());
        output.write(buf);
    }

    /** Writes a packet alone, behind an all-zero virtio header (complete packet, no GSO). */
    final void passOn(ByteBuf packet) {
        output.write(GroCoalescer.withEmptyHeader(allocator, packet));
    }
}
