package net.ipsecgw.admin.security;

import java.time.Duration;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import reactor.core.publisher.Mono;

/**
 * Checks credentials only while the user name is not locked out by the {@link LoginThrottle}, and
 * reports each outcome to it. A locked-out name is refused without looking at the password.
 */
final class ThrottlingAuthenticationManager implements ReactiveAuthenticationManager {
    private final ReactiveAuthenticationManager delegate;
    private final LoginThrottle throttle;

    ThrottlingAuthenticationManager(ReactiveAuthenticationManager delegate, LoginThrottle throttle) {
        this.delegate = delegate;
        this.throttle = throttle;
    }

    @Override
    public Mono<Authentication> authenticate(Authentication authentication) {
        String user = authentication.getName();
        Duration locked = throttle.lockedFor(user);
        if (!locked.isZero()) {
            return Mono.error(new LockedException(
                    "too many failed logins; try again in " + Math.max(1, locked.toSeconds()) + " s"));
        }
        return delegate.authenticate(authentication)
                .doOnNext(ok -> throttle.succeeded(user))
                .doOnError(BadCredentialsException.class, e -> throttle.failed(user));
    }
}
