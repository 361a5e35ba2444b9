package net.ipsecgw.admin.system;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import net.ipsecgw.ike.config.Secret;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The web console (prefix {@code console}): who may log in, how failed logins are throttled, the live
 * chart, and HTTPS.
 *
 * @param adminUser the console's user name
 * @param initialPassword the first password, as an installer sets it; when absent and no password was
 *     stored yet, one is generated at first start and printed once. Only its hash is kept.
 * @param login failed-login throttling
 * @param chart the dashboard's live per-lane chart
 * @param tls HTTPS for the console
 */
@ConfigurationProperties("console")
@Validated
public record ConsoleProperties(
        @NotNull
        @Pattern(regexp = "[A-Za-z0-9_.@-]{1,64}", message = "must be 1-64 letters, digits, '_', '.', '@' or '-'")
        String adminUser,

        Secret initialPassword,
        @NotNull @Valid Login login,
        @NotNull @Valid Chart chart,
        @NotNull @Valid Tls tls) {

    /**
     * Throttling of failed logins, per user name.
     *
     * @param maxFailures failures in a row before the user is locked out
     * @param lockout how long the lock-out lasts
     */
    public record Login(
            @Min(1) @Max(100) int maxFailures,

            @NotNull @DurationMin(seconds = 1) @DurationMax(hours = 24)
            Duration lockout) {}

    /**
     * The live per-lane load chart.
     *
     * @param interval time between two samples pushed to the browser
     * @param window how much history the chart shows
     */
    public record Chart(
            @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 1)
            Duration interval,

            @NotNull @DurationMin(seconds = 10) @DurationMax(hours = 1)
            Duration window) {}

    /**
     * HTTPS for the console. When enabled and the files do not exist, a self-signed certificate is
     * generated into them at first start.
     *
     * @param enabled serve the console over HTTPS
     * @param certificate the certificate chain (PEM)
     * @param privateKey its private key (PEM, PKCS#8)
     */
    public record Tls(boolean enabled, Path certificate, Path privateKey) {}
}
