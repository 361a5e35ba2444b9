package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The entry point for every packet written to a TUN queue with offloads: software GRO over one read
 * batch of the black sockets. TCP packets go to a {@link TcpCoalescer}; with UDP segmentation in effect
 * ({@link TunOffloadControl#udpSegmentation(int)}) every other packet goes to a {@link UdpCoalescer},
 * which merges UDP datagrams and passes the rest on alone; without it every other packet is passed on
 * alone behind an empty header (a kernel without USO refuses {@link VirtioNetHeader#GSO_UDP_L4}
 * writes). Within a flow the order is kept; packets of different flows may overtake each other.
 *
 * <p>Every packet given to {@link #add} is owned by the coalescer; {@link #flush()} at the end of each
 * batch hands every held packet to the {@link TunOutput}, a virtio header before each. Owned by one
 * lane's event loop; not thread-safe.
 */
public final class GroCoalescer {
    /** Largest IPv4 total length, and largest IPv6 payload length. */
    static final int MAX_IP_LENGTH = 65535;

    private static final int PROTO_TCP = 6;

    private final TcpCoalescer tcp;
    private final UdpCoalescer udp;

    /**
     * @param allocator where super-packets and header-less copies come from (pooled, direct)
     * @param flows how many TCP flows, and as many UDP flows, can have an open super-packet at once
     * @param udp whether to merge UDP datagrams (only when the device has USO both ways)
     * @param output where finished packets go
     */
    public GroCoalescer(ByteBufAllocator allocator, int flows, boolean udp, TunOutput output) {
        this.tcp = new TcpCoalescer(allocator, flows, output);
        this.udp = udp ? new UdpCoalescer(allocator, flows, output) : null;
    }

    /** Takes {@code packet} (its readable bytes: one IP packet with complete checksums). */
    public void add(ByteBuf packet) {
        if (udp == null || isTcp(packet, packet.readerIndex(), packet.readableBytes())) {
            tcp.add(packet);
        } else {
            udp.add(packet);
        }
    }

    /** Writes every held packet to the output: call at the end of each batch. */
    public void flush() {
        tcp.flush();
        if (udp != null) {
            udp.flush();
        }
    }

    private static boolean isTcp(ByteBuf p, int at, int length) {
        if (length < 20) {
            return false;
        }
        int version = p.getUnsignedByte(at) >>> 4;
        return version == 4
                ? p.getUnsignedByte(at + 9) == PROTO_TCP
                : version == 6 && length >= 40 && p.getUnsignedByte(at + 6) == PROTO_TCP;
    }

    /**
     * {@code packet} behind an all-zero virtio header (a complete packet, no GSO): written into its
     * headroom when it has {@link VirtioNetHeader#SIZE} bytes there and is writable and not shared, else
     * into a copy from {@code allocator}, {@code packet} then released.
     */
    static ByteBuf withEmptyHeader(ByteBufAllocator allocator, ByteBuf packet) {
        if (packet.readerIndex() < VirtioNetHeader.SIZE || packet.isReadOnly() || packet.refCnt() != 1) {
            ByteBuf out = allocator.directBuffer(VirtioNetHeader.SIZE + packet.readableBytes());
            out.writeZero(VirtioNetHeader.SIZE).writeBytes(packet);
            packet.release();
            return out;
        }
        packet.readerIndex(packet.readerIndex() - VirtioNetHeader.SIZE);
        packet.setZero(packet.readerIndex(), VirtioNetHeader.SIZE);
        return packet;
    }

    /**
     * Copies the first packet of a super-packet into a 64 KB buffer with room for the virtio header in
     * front, and releases it.
     */
    static ByteBuf superPacket(ByteBufAllocator allocator, ByteBuf first) {
        ByteBuf buf = allocator.directBuffer(VirtioNetHeader.SIZE + MAX_IP_LENGTH + 40);
        buf.setIndex(VirtioNetHeader.SIZE, VirtioNetHeader.SIZE);
        buf.writeBytes(first, first.readerIndex(), first.readableBytes());
        first.release();
        return buf;
    }

    /**
     * The IP header fields that must agree for packets to be merged. IPv4: TOS, DF and reserved bits, TTL.
     * IPv6: version, traffic class, flow label, hop limit.
     */
    static boolean sameIpFields(boolean v6, ByteBuf a, int ai, ByteBuf b, int bi) {
        if (v6) {
            return a.getInt(ai) == b.getInt(bi) && a.getByte(ai + 7) == b.getByte(bi + 7);
        }
        return a.getByte(ai + 1) == b.getByte(bi + 1)
                && (a.getByte(ai + 6) & 0xe0) == (b.getByte(bi + 6) & 0xe0)
                && a.getByte(ai + 8) == b.getByte(bi + 8);
    }
}
