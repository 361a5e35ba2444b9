package net.ipsecgw.admin.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed logins per user name and locks the name out for a while after too many in a row, so
 * that passwords cannot be guessed at the speed of the network. A success clears the count. Any thread.
 */
public final class LoginThrottle {
    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    private record State(int failures, Instant lockedUntil) {}

    /** Locks a name for {@code lockout} after {@code maxFailures} failures in a row. */
    public LoginThrottle(int maxFailures, Duration lockout, Clock clock) {
        this.maxFailures = maxFailures;
        this.lockout = lockout;
        this.clock = clock;
    }

    /** How long {@code user} is still locked out, or zero. */
    public Duration lockedFor(String user) {
        State state = states.get(key(user));
        if (state == null || state.lockedUntil() == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), state.lockedUntil());
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Counts a failure; the one that reaches the limit starts the lock-out. */
    public void failed(String user) {
        states.compute(key(user), (k, state) -> {
            int failures = (state == null || expired(state) ? 0 : state.failures()) + 1;
            Instant until = failures >= maxFailures ? clock.instant().plus(lockout) : null;
            return new State(failures >= maxFailures ? 0 : failures, until);
        });
    }

    /** Clears the count after a successful login. */
    public void succeeded(String user) {
        states.remove(key(user));
    }

    private boolean expired(State state) {
        return state.lockedUntil() != null && !clock.instant().isBefore(state.lockedUntil());
    }

    private static String key(String user) {
        return user == null ? "" : user.toLowerCase(Locale.ROOT);
    }
}
