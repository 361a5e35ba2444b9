package net.ipsecgw.ike.sa;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Time as the control plane sees it: a clock and one-shot timers, all on the control loop's thread.
 * The gateway uses the control loop's scheduler; exchange tests use virtual time, so retransmission,
 * DPD and lifetimes run in microseconds and deterministically.
 */
public interface Timers {
    /** Nanoseconds on a monotonic clock (as {@link System#nanoTime()}). */
    long nanoTime();

    /** Runs {@code task} on the control loop after {@code delay}; the handle cancels it. */
    Timer schedule(Runnable task, Duration delay);

    /** A scheduled task. */
    interface Timer {
        /** Cancels the task if it has not run; idempotent. */
        void cancel();
    }

    /** Timers on a Netty event executor (the gateway's control loop). */
    static Timers on(EventExecutor executor) {
        return new Timers() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public Timer schedule(Runnable task, Duration delay) {
                ScheduledFuture<?> future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            }
        };
    }
}
