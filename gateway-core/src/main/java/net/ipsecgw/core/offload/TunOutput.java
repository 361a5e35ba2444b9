package net.ipsecgw.core.offload;

import io.netty.buffer.ByteBuf;

/** Receives each packet that a coalescer ({@link GroCoalescer}) hands on, and owns it from then on. */
@FunctionalInterface
public interface TunOutput {
    /** One TUN write: a {@link VirtioNetHeader#SIZE}-byte header, then an IP packet. */
    void write(ByteBuf packet);
}
