package net.ipsecgw.core.datapath;

import net.ipsecgw.esp.InboundSa;

/**
 * When an inbound SA last decrypted a packet, for dead peer detection: sampled by the owning lane's
 * once-a-second housekeeping (not per packet), so the time is at most one period late.
 *
 * <p>Written by the lane that owns the SA; {@link #lastNanos()} may be read from any thread.
 */
public final class InboundActivity {
    private long seenPackets;
    private volatile long lastNanos;

    /** Notes {@code now} as the last activity if {@code sa} decrypted packets since the last sample. Lane thread. */
    void sample(InboundSa sa, long now) {
        long packets = sa.packets();
        if (packets != seenPackets) {
            seenPackets = packets;
            lastNanos = now;
        }
    }

    /** {@link System#nanoTime()} of the sample that first saw the latest packets, 0 if none yet. */
    public long lastNanos() {
        return lastNanos;
    }
}
