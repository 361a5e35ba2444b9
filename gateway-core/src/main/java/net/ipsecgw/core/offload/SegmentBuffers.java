package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Where the segmenters' new packets come from: a buffer per segment with {@code headroom} bytes free
 * before it and {@code tailroom} after, so that ESP can be built around it in place.
 */
final class SegmentBuffers {
    private final ByteBufAllocator allocator;
    private final int headroom;
    private final int tailroom;

    /**
     * @param allocator where segments come from (a pooled direct allocator in the data path)
     * @param headroom bytes to leave free before each new segment
     * @param tailroom bytes to leave free after each new segment
     */
    SegmentBuffers(ByteBufAllocator allocator, int headroom, int tailroom) {
        if (headroom < 0 || tailroom < 0) {
            throw new IllegalArgumentException("headroom " + headroom + " and tailroom " + tailroom + " must be >= 0");
        }
        this.allocator = allocator;
        this.headroom = headroom;
        this.tailroom = tailroom;
    }

    /**
     * A new segment: the {@code headers} bytes of {@code packet} at {@code start}, then {@code chunk} bytes
     * of its payload from {@code offset} past the headers. Its reader index is where the segment starts.
     */
    ByteBuf segment(ByteBuf packet, int start, int headers, int offset, int chunk) {
        ByteBuf s = allocator.directBuffer(headroom + headers + chunk + tailroom);
        s.setIndex(headroom, headroom);
        return s.writeBytes(packet, start, headers).writeBytes(packet, start + headers + offset, chunk);
    }
}
