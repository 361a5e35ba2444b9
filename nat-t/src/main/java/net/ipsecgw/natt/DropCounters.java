package net.ipsecgw.natt;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-lane drop counts by {@link DropReason}.
 *
 * <p>Single writer: only the lane's event loop calls {@link #increment}. Readers (metrics) on other
 * threads call {@link #get} without a lock; opaque access keeps each 64-bit count untorn and
 * eventually visible, at the cost of a plain store on x86.
 */
public final class DropCounters {
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final DropReason[] REASONS = DropReason.values();

    private final long[] counts = new long[REASONS.length];

    /** Counts one drop for {@code reason}. Lane thread only. */
    public void increment(DropReason reason) {
        int i = reason.ordinal();
        COUNT.setOpaque(counts, i, (long) COUNT.getOpaque(counts, i) + 1);
    }

    /** The drops counted so far for {@code reason}; any thread. */
    public long get(DropReason reason) {
        return (long) COUNT.getOpaque(counts, reason.ordinal());
    }

    /** The drops counted so far for all reasons; any thread. */
    public long total() {
        long sum = 0;
        for (DropReason reason : REASONS) {
            sum += get(reason);
        }
        return sum;
    }
}
