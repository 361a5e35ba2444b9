package net.ipsecgw.ike.sa;

import java.time.Duration;
import java.util.PriorityQueue;

/** Virtual time for exchange tests: timers run only when the test advances the clock. */
final class VirtualTimers implements Timers {
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long now = 1_000_000_000L;
    private long sequence;

    private final class Entry implements Comparable<Entry>, Timer {
        final long due;
        final long order = sequence++;
        final Runnable task;
        boolean cancelled;

        Entry(long due, Runnable task) {
            this.due = due;
            this.task = task;
        }

        @Override
        public int compareTo(Entry other) {
            int byTime = Long.compare(due, other.due);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Timer schedule(Runnable task, Duration delay) {
        Entry entry = new Entry(now + Math.max(0, delay.toNanos()), task);
        queue.add(entry);
        return entry;
    }

    /** Runs every timer due within {@code step}, in order, and moves the clock to the end of it. */
    void advance(Duration step) {
        long until = now + step.toNanos();
        while (!queue.isEmpty() && queue.peek().due <= until) {
            Entry next = queue.poll();
            now = Math.max(now, next.due);
            if (!next.cancelled) {
                next.task.run();
            }
        }
        now = until;
    }
}
