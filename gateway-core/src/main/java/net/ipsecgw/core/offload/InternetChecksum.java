package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the one's-complement of the one's-complement sum of 16-bit
 * big-endian words, and the pseudo-header sums that TCP and UDP add to it (RFC 9293 §3.1, RFC 768 for
 * IPv4; RFC 8200 §8.1 for IPv6).
 *
 * <p>Sums are carried as unfolded {@code long} partial sums so that pieces (pseudo-header, header,
 * payload) can be added up and folded once: {@link #sum} adds 8 bytes at a time with end-around carry,
 * which RFC 1071 §2(B) allows because one's-complement addition is independent of word size and
 * byte order as long as the result is folded to 16 bits. Ranges passed to {@link #sum} must start at an
 * even offset of the checksummed data (an odd-length range may only be the last one).
 *
 * <p>Stateless and allocation-free; safe from any thread.
 */
public final class InternetChecksum {
    private InternetChecksum() {}

    /**
     * Adds the bytes {@code [index, index + length)} of {@code buf}, read as big-endian 16-bit words (an
     * odd last byte padded with zero), to the partial sum {@code initial}.
     *
     * @return the new partial sum, not folded
     */
    public static long sum(ByteBuf buf, int index, int length, long initial) {
        if (length >= FAST_MINIMUM && buf.isDirect() && buf.nioBufferCount() == 1) {
            return add(initial, sumDirect(buf.internalNioBuffer(index, length), length));
        }
        return sumPortable(buf, index, length, initial);
    }

    /** Below this many bytes the plain loop is as fast as setting up the memory segment. */
    private static final int FAST_MINIMUM = 64;

    private static final ValueLayout.OfInt NATIVE_INT = ValueLayout.JAVA_INT_UNALIGNED;

    /**
     * The sum of {@code length} bytes of direct memory: 32-bit words in the machine's byte order added
     * into a 64-bit accumulator without carry handling (2^32 words cannot overflow it), then folded.
     * On a little-endian machine the folded sum is that of byte-swapped 16-bit words (RFC 1071 §2(B)),
     * so it is swapped back to the network-order partial sum the callers add to.
     */
    private static long sumDirect(ByteBuffer nio, int length) {
        MemorySegment memory = MemorySegment.ofBuffer(nio);
        long acc = 0;
        int words = length & ~3;
        for (int i = 0; i < words; i += 4) {
            acc += Integer.toUnsignedLong(memory.get(NATIVE_INT, i));
        }
        int folded = fold(acc);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            folded = Integer.reverseBytes(folded) >>> 16;
        }
        long sum = folded;
        int i = words;
        if (i + 2 <= length) {
            sum += ((memory.get(ValueLayout.JAVA_BYTE, i) & 0xff) << 8)
                    | (memory.get(ValueLayout.JAVA_BYTE, i + 1) & 0xff);
            i += 2;
        }
        if (i < length) {
            sum += (memory.get(ValueLayout.JAVA_BYTE, i) & 0xff) << 8;
        }
        return sum;
    }

    /** {@link #sum} through the buffer's accessors: any buffer, 8 bytes at a time. */
    static long sumPortable(ByteBuf buf, int index, int length, long initial) {
        long sum = initial;
        int i = index;
        int end = index + length;
        for (; i + 8 <= end; i += 8) {
            sum = add(sum, buf.getLong(i));
        }
        if (i + 4 <= end) {
            sum = add(sum, buf.getUnsignedInt(i));
            i += 4;
        }
        if (i + 2 <= end) {
            sum = add(sum, buf.getUnsignedShort(i));
            i += 2;
        }
        if (i < end) {
            sum = add(sum, (long) buf.getUnsignedByte(i) << 8);
        }
        return sum;
    }

    /** 64-bit one's-complement addition: the carry out of bit 63 comes back in at bit 0. */
    static long add(long sum, long value) {
        long result = sum + value;
        return Long.compareUnsigned(result, value) < 0 ? result + 1 : result;
    }

    /** Folds a partial sum to 16 bits (still not complemented). */
    public static int fold(long sum) {
        long s = (sum >>> 32) + (sum & 0xffffffffL);
        s = (s >>> 32) + (s & 0xffffffffL);
        s = (s >>> 16) + (s & 0xffff);
        s = (s >>> 16) + (s & 0xffff);
        return (int) s & 0xffff;
    }

    /** The checksum to store: the complement of the folded sum. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** The checksum of {@code [index, index + length)}: {@code finish(sum(...))}. */
    public static int checksum(ByteBuf buf, int index, int length) {
        return finish(sum(buf, index, length, 0));
    }

    /**
     * The IPv4 pseudo-header sum for the transport segment of the packet whose IPv4 header starts at
     * {@code ipIndex}: source and destination address, protocol, and {@code l4Length}.
     */
    public static long pseudoHeaderIpv4(ByteBuf buf, int ipIndex, int protocol, int l4Length) {
        return sum(buf, ipIndex + 12, 8, (long) protocol + l4Length);
    }

    /**
     * The IPv6 pseudo-header sum for the upper-layer packet of the packet whose IPv6 header starts at
     * {@code ipIndex}: source and destination address, {@code l4Length} and {@code nextHeader}.
     */
    public static long pseudoHeaderIpv6(ByteBuf buf, int ipIndex, int nextHeader, int l4Length) {
        return sum(buf, ipIndex + 8, 32, (long) nextHeader + l4Length);
    }

    /**
     * Computes and stores the IPv4 header checksum of the header at {@code ipIndex} (its IHL taken from
     * the header itself).
     */
    public static void setIpv4HeaderChecksum(ByteBuf buf, int ipIndex) {
        int headerLength = (buf.getUnsignedByte(ipIndex) & 0x0f) * 4;
        buf.setShort(ipIndex + 10, 0);
        buf.setShort(ipIndex + 10, checksum(buf, ipIndex, headerLength));
    }
}
