package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;

/**
 * {@code struct virtio_net_hdr} (virtio 1.x, {@code include/uapi/linux/virtio_net.h}): the 10-byte
 * header that a TUN device opened with {@code IFF_VNET_HDR} puts before every packet it returns from
 * read(2) and expects before every packet given to write(2). It tells whether the packet still needs
 * its transport checksum ({@link #FLAG_NEEDS_CSUM}, with {@link #csumStart()} and {@link #csumOffset()})
 * and whether it is a GSO super-packet to be cut into {@link #gsoSize()}-byte segments.
 *
 * <p>Layout: {@code u8 flags, u8 gso_type, u16 hdr_len, u16 gso_size, u16 csum_start, u16 csum_offset}.
 * The TUN driver writes the 16-bit fields in host order (legacy virtio) unless {@code TUNSETVNETLE} or
 * {@code TUNSETVNETBE} chose otherwise; the gateway runs on little-endian hosts (x86-64, arm64) and sets
 * neither, so they are little-endian here.
 *
 * <p>A mutable holder meant to be reused: one instance per lane, decoded into and encoded from on the
 * lane's event loop only, so reading a packet allocates nothing. Not thread-safe.
 */
public final class VirtioNetHeader {
    /** Size of {@code struct virtio_net_hdr} (without the mergeable-buffers {@code num_buffers}). */
    public static final int SIZE = 10;

    /** flags: the transport checksum is partial; complete it from csum_start, store at +csum_offset. */
    public static final int FLAG_NEEDS_CSUM = 1;
    /** flags: the checksum was already validated (receive side). */
    public static final int FLAG_DATA_VALID = 2;

    /** gso_type: not a GSO packet. */
    public static final int GSO_NONE = 0;
    /** gso_type: TCP over IPv4 segmentation. */
    public static final int GSO_TCPV4 = 1;
    /** gso_type: UDP fragmentation offload (UFO, obsolete). */
    public static final int GSO_UDP = 3;
    /** gso_type: TCP over IPv6 segmentation. */
    public static final int GSO_TCPV6 = 4;
    /** gso_type: UDP segmentation (USO, {@code UDP_SEGMENT}). */
    public static final int GSO_UDP_L4 = 5;
    /** gso_type bit: the TCP segments carry ECN (CWR may be set, only on the first segment). */
    public static final int GSO_ECN = 0x80;

    private int flags;
    private int gsoType;
    private int hdrLen;
    private int gsoSize;
    private int csumStart;
    private int csumOffset;

    /**
     * Reads the header at {@code index} of {@code buf} without moving its indexes.
     *
     * @return this
     * @throws IndexOutOfBoundsException when fewer than {@link #SIZE} bytes are there
     */
    public VirtioNetHeader decode(ByteBuf buf, int index) {
        flags = buf.getUnsignedByte(index);
        gsoType = buf.getUnsignedByte(index + 1);
        hdrLen = buf.getUnsignedShortLE(index + 2);
        gsoSize = buf.getUnsignedShortLE(index + 4);
        csumStart = buf.getUnsignedShortLE(index + 6);
        csumOffset = buf.getUnsignedShortLE(index + 8);
        return this;
    }

    /** Writes the header at {@code index} of {@code buf} without moving its indexes. */
    public void encode(ByteBuf buf, int index) {
        buf.setByte(index, flags);
        buf.setByte(index + 1, gsoType);
        buf.setShortLE(index + 2, hdrLen);
        buf.setShortLE(index + 4, gsoSize);
        buf.setShortLE(index + 6, csumStart);
        buf.setShortLE(index + 8, csumOffset);
    }

    /** Sets every field to zero: a complete packet, no GSO, checksum done. */
    public VirtioNetHeader clear() {
        flags = 0;
        gsoType = 0;
        hdrLen = 0;
        gsoSize = 0;
        csumStart = 0;
        csumOffset = 0;
        return this;
    }

    /** Sets every field; values are truncated to the field widths (8 or 16 bits). */
    public VirtioNetHeader set(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        this.flags = flags & 0xff;
        this.gsoType = gsoType & 0xff;
        this.hdrLen = hdrLen & 0xffff;
        this.gsoSize = gsoSize & 0xffff;
        this.csumStart = csumStart & 0xffff;
        this.csumOffset = csumOffset & 0xffff;
        return this;
    }

    /** The flags byte. */
    public int flags() {
        return flags;
    }

    /** Whether {@link #FLAG_NEEDS_CSUM} is set. */
    public boolean needsChecksum() {
        return (flags & FLAG_NEEDS_CSUM) != 0;
    }

    /** The gso_type byte, with the {@link #GSO_ECN} bit. */
    public int gsoType() {
        return gsoType;
    }

    /** The gso_type without the {@link #GSO_ECN} bit. */
    public int gsoProtocol() {
        return gsoType & ~GSO_ECN;
    }

    /** Whether the {@link #GSO_ECN} bit is set. */
    public boolean ecn() {
        return (gsoType & GSO_ECN) != 0;
    }

    /** hdr_len: length of the headers to copy into each segment (advisory; see {@code TcpSegmenter}). */
    public int hdrLen() {
        return hdrLen;
    }

    /** gso_size: the payload bytes per segment (the MSS for TCP). */
    public int gsoSize() {
        return gsoSize;
    }

    /** csum_start: offset from the start of the IP packet where checksumming starts (the L4 header). */
    public int csumStart() {
        return csumStart;
    }

    /** csum_offset: offset of the checksum field from csum_start (16 for TCP, 6 for UDP). */
    public int csumOffset() {
        return csumOffset;
    }

    @Override
    public String toString() {
        return "virtio_net_hdr[flags " + flags + ", gso_type " + gsoType + ", hdr_len " + hdrLen + ", gso_size "
                + gsoSize + ", csum_start " + csumStart + ", csum_offset " + csumOffset + "]";
    }
}
