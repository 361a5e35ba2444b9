package net.ipsecgw.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(1), clock);

    @Test
    void locksOutAfterTheLimitAndForTheLockout() {
        throttle.failed("admin");
        throttle.failed("Admin");
        assertThat(throttle.lockedFor("admin")).isZero();
        throttle.failed("admin");
        assertThat(throttle.lockedFor("ADMIN")).isEqualTo(Duration.ofMinutes(1));
        now = now.plusSeconds(59);
        assertThat(throttle.lockedFor("admin")).isEqualTo(Duration.ofSeconds(1));
        now = now.plusSeconds(1);
        assertThat(throttle.lockedFor("admin")).isZero();
    }

    @Test
    void successClearsTheCount() {
        throttle.failed("admin");
        throttle.failed("admin");
        throttle.succeeded("admin");
        throttle.failed("admin");
        throttle.failed("admin");
        assertThat(throttle.lockedFor("admin")).isZero();
    }

    @Test
    void otherUsersAreNotLockedOut() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("mallory");
        }
        assertThat(throttle.lockedFor("admin")).isZero();
    }
}
