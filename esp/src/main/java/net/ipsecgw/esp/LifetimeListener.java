package net.ipsecgw.esp;

/**
 * Receives an SA's lifetime events. Called on the thread that owns the SA (its lane), once per SA for
 * the soft expiry and once for the hard expiry; an implementation hands the event to the control plane
 * without blocking the lane.
 */
public interface LifetimeListener {
    /** Ignores every event. */
    LifetimeListener NONE = new LifetimeListener() {
        @Override
        public void softExpired(EspSa sa, SaLifetime.Kind kind) {}

        @Override
        public void hardExpired(EspSa sa, SaLifetime.Kind kind) {}
    };

    /** {@code sa} reached a soft limit: time to rekey. */
    void softExpired(EspSa sa, SaLifetime.Kind kind);

    /** {@code sa} reached a hard limit (or ran out of sequence numbers): it is no longer used. */
    void hardExpired(EspSa sa, SaLifetime.Kind kind);
}
