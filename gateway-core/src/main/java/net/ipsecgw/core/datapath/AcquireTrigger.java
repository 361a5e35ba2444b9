package net.ipsecgw.core.datapath;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Tells the control plane that one lane has traffic for one tunnel but no per-CPU SA of its own (it
 * sends on the fallback SA, or has no SA at all and drops): at most once per interval, by handing a
 * prepared task to the control loop. The lane never calls the control plane itself.
 *
 * <p>Owned by one lane's thread (one trigger per lane and tunnel, kept across table rebuilds so that
 * the interval holds when tables change); {@link #NONE} is stateless and shared.
 */
public final class AcquireTrigger {
    /** Never reports (manually keyed tunnels: nobody to ask for an SA). */
    public static final AcquireTrigger NONE = new AcquireTrigger(null, null, 0);

    private final Executor controlLoop;
    private final Runnable report;
    private final long intervalNanos;
    private boolean fired;
    private long lastNanos;

    /**
     * @param controlLoop where {@code report} runs
     * @param report the report (built once; it runs on the control loop)
     * @param intervalNanos the shortest time between two reports
     */
    public AcquireTrigger(Executor controlLoop, Runnable report, long intervalNanos) {
        this.controlLoop = controlLoop;
        this.report = report;
        this.intervalNanos = intervalNanos;
    }

    /** A packet needed an SA of this lane's own. Lane thread; allocates nothing. */
    void fire() {
        if (report == null) {
            return;
        }
        long now = System.nanoTime();
        if (fired && now - lastNanos < intervalNanos) {
            return;
        }
        fired = true;
        lastNanos = now;
        try {
            controlLoop.execute(report);
        } catch (RejectedExecutionException e) {
            // The control loop is shutting down: nobody left to ask.
        }
    }
}
