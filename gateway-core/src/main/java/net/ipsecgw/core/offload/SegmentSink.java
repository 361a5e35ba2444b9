package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;

/** Receives each packet that a segmenter ({@link GsoSegmenter}) produces, in order, and owns it from then on. */
@FunctionalInterface
public interface SegmentSink {
    /** One complete IP packet, readable bytes only, checksums done. */
    void accept(ByteBuf packet);
}
