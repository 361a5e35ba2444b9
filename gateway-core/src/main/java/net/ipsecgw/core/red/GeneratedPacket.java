package net.ipsecgw.core.red;

import io.netty.buffer.ByteBuf;

/**
 * The IPv4/UDP packets the traffic generator sends and its sink checks. The UDP payload carries the
 * flow, a per-flow sequence number and a checksum over the rest, so the sink can tell an intact packet
 * from a damaged one and notice reordering.
 *
 * <pre>
 *  IPv4 header (20, no options, DF) | UDP header (8, checksum 0)
 *  | magic "IPGW" (4) | flow (4) | sequence (8) | FNV-1a of flow, sequence, filler (4) | filler (seq + i) ...
 * </pre>
 *
 * <p>Stateless; allocates nothing.
 */
public final class GeneratedPacket {
    /** Bytes of IPv4 and UDP header before the payload. */
    public static final int HEADERS = 28;
    /** Bytes of the payload's own header (magic, flow, sequence, checksum). */
    public static final int PAYLOAD_HEADER = 20;
    /** Smallest packet: both headers and the payload header. */
    public static final int MIN_SIZE = HEADERS + PAYLOAD_HEADER;

    private static final int MAGIC = 0x49504757; // "IPGW"
    private static final int FNV_OFFSET = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;

    private GeneratedPacket() {}

    /** Writes a packet of {@code size} bytes at {@code buf}'s writer index. */
    public static void write(ByteBuf buf, int size, int source, int destination, int flow, long seq) {
        int start = buf.writerIndex();
        buf.writeByte(0x45).writeByte(0).writeShort(size).writeShort((int) seq).writeShort(0x4000);
        buf.writeByte(64).writeByte(17).writeShort(0).writeInt(source).writeInt(destination);
        buf.setShort(start + 10, ipv4HeaderChecksum(buf, start));
        buf.writeShort(10000 + flow % 50000).writeShort(5001 + flow % 1000);
        buf.writeShort(size - 20).writeShort(0);
        buf.writeInt(MAGIC).writeInt(flow).writeLong(seq).writeInt(0);
        for (int i = 0; i < size - MIN_SIZE; i++) {
            buf.writeByte((int) (seq + i));
        }
        buf.setInt(start + HEADERS + 16, checksum(buf, start));
    }

    /** True when the readable bytes are one intact generated packet. */
    public static boolean isIntact(ByteBuf packet) {
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        return length >= MIN_SIZE
                && packet.getUnsignedByte(start) == 0x45
                && packet.getUnsignedShort(start + 2) == length
                && packet.getUnsignedByte(start + 9) == 17
                && packet.getInt(start + HEADERS) == MAGIC
                && packet.getInt(start + HEADERS + 16) == checksum(packet, start);
    }

    /** The flow of an intact packet. */
    public static int flow(ByteBuf packet) {
        return packet.getInt(packet.readerIndex() + HEADERS + 4);
    }

    /** The sequence number of an intact packet. */
    public static long sequence(ByteBuf packet) {
        return packet.getLong(packet.readerIndex() + HEADERS + 8);
    }

    /** FNV-1a over flow, sequence and filler (the packet's own length says where it ends). */
    private static int checksum(ByteBuf buf, int start) {
        int end = start + buf.getUnsignedShort(start + 2);
        int hash = FNV_OFFSET;
        for (int i = start + HEADERS + 4; i < end; i++) {
            if (i < start + HEADERS + 16 || i >= start + MIN_SIZE) {
                hash = (hash ^ (buf.getByte(i) & 0xFF)) * FNV_PRIME;
            }
        }
        return hash;
    }

    private static int ipv4HeaderChecksum(ByteBuf buf, int start) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += buf.getUnsignedShort(start + i);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }
}
