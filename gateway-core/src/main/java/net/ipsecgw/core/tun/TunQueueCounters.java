package net.ipsecgw.core.tun;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A TUN queue's packet, byte and drop counters.
 *
 * <p>Written only by the owning lane's thread (single writer, so increments need no atomics); read by
 * any thread (metrics) without locks. Writes and reads are <em>opaque</em>: on x86-64 and AArch64 they
 * cost a plain store or load, yet a reader never sees a torn value and eventually sees every update.
 */
public final class TunQueueCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PACKETS_READ = 0;
    private static final int BYTES_READ = 1;
    private static final int PACKETS_WRITTEN = 2;
    private static final int BYTES_WRITTEN = 3;
    private static final int FIRST_DROP = 4;

    private final long[] slots = new long[FIRST_DROP + TunDropReason.values().length];

    /** Packets handed to the packet handler. */
    public long packetsRead() {
        return get(PACKETS_READ);
    }

    /** Bytes of the packets handed to the packet handler. */
    public long bytesRead() {
        return get(BYTES_READ);
    }

    /** Packets the kernel accepted. */
    public long packetsWritten() {
        return get(PACKETS_WRITTEN);
    }

    /** Bytes of the packets the kernel accepted. */
    public long bytesWritten() {
        return get(BYTES_WRITTEN);
    }

    /** Packets dropped (or reads failed) for {@code reason}. */
    public long drops(TunDropReason reason) {
        return get(FIRST_DROP + reason.ordinal());
    }

    /** Every drop, whatever the reason. */
    public long totalDrops() {
        long total = 0;
        for (TunDropReason reason : TunDropReason.values()) {
            total += drops(reason);
        }
        return total;
    }

    void read(int bytes) {
        add(PACKETS_READ, 1);
        add(BYTES_READ, bytes);
    }

    void written(int bytes) {
        add(PACKETS_WRITTEN, 1);
        add(BYTES_WRITTEN, bytes);
    }

    void drop(TunDropReason reason) {
        add(FIRST_DROP + reason.ordinal(), 1);
    }

    private long get(int slot) {
        return (long) SLOT.getOpaque(slots, slot);
    }

    private void add(int slot, long delta) {
        // Single writer: a read-then-write is not racy, only the publication needs to be opaque.
        SLOT.setOpaque(slots, slot, (long) SLOT.getOpaque(slots, slot) + delta);
    }

    @Override
    public String toString() {
        return "TunQueueCounters[read " + packetsRead() + " pkts/" + bytesRead() + " B, written " + packetsWritten()
                + " pkts/" + bytesWritten() + " B, drops " + totalDrops() + "]";
    }
}
