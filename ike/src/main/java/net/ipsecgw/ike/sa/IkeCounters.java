package net.ipsecgw.ike.sa;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts of IKE messages the daemon dropped or refused before any IKE SA handled them, by reason
 * ({@code malformed}, {@code unknown_spi}, {@code bad_icv}, {@code half_open_limit}, ...). Written by
 * the control loop; any thread may read.
 */
public final class IkeCounters {
    private final Map<String, AtomicLong> drops = new ConcurrentHashMap<>();

    void drop(String reason) {
        drops.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    /** How many messages were dropped for this reason. */
    public long drops(String reason) {
        AtomicLong count = drops.get(reason);
        return count == null ? 0 : count.get();
    }

    /** Every reason seen so far with its count, sorted by reason. */
    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        drops.forEach((reason, count) -> copy.put(reason, count.get()));
        return copy;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
