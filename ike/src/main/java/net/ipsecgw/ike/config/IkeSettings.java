package net.ipsecgw.ike.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Gateway-wide IKE settings: the IKE port, retransmission (RFC 7296 §2.1), fragmentation (RFC 7383)
 * and the limits that protect the responder from floods of half-open IKE SAs (§2.6).
 *
 * @param port the IKE port (default 500); NAT-T uses the black side's port
 * @param retransmitTimeout the first retransmission timeout (default 4s, as strongSwan)
 * @param retransmitBase each timeout is the previous times this (default 1.8)
 * @param retransmitTries retransmissions before giving up on the peer (default 5)
 * @param fragmentSize largest IKE message before fragmenting (default 1280, RFC 7383 §2.5.1 for IPv6)
 * @param cookieThreshold half-open IKE SAs above which IKE_SA_INIT requests must carry a COOKIE
 *     (default 50; 0 always asks)
 * @param halfOpenPerSource most half-open IKE SAs from one source address (default 10)
 * @param halfOpenMax most half-open IKE SAs in total (default 1000)
 */
public record IkeSettings(
        Integer port,
        Duration retransmitTimeout,
        Double retransmitBase,
        Integer retransmitTries,
        Integer fragmentSize,
        Integer cookieThreshold,
        Integer halfOpenPerSource,
        Integer halfOpenMax) {

    /** Defaults and checks. */
    public IkeSettings {
        port = Objects.requireNonNullElse(port, 500);
        check("port", port, 1, 65535);
        retransmitTimeout = Objects.requireNonNullElse(retransmitTimeout, Duration.ofSeconds(4));
        if (retransmitTimeout.toMillis() < 10) {
            throw new ConfigValueException("retransmit-timeout", "must be at least 10ms, got " + retransmitTimeout);
        }
        retransmitBase = Objects.requireNonNullElse(retransmitBase, 1.8);
        if (!(retransmitBase >= 1.0 && retransmitBase <= 10.0)) {
            throw new ConfigValueException("retransmit-base", "must be 1.0-10.0, got " + retransmitBase);
        }
        retransmitTries = Objects.requireNonNullElse(retransmitTries, 5);
        check("retransmit-tries", retransmitTries, 0, 100);
        fragmentSize = Objects.requireNonNullElse(fragmentSize, 1280);
        check("fragment-size", fragmentSize, 576, 65535);
        cookieThreshold = Objects.requireNonNullElse(cookieThreshold, 50);
        check("cookie-threshold", cookieThreshold, 0, 1_000_000);
        halfOpenPerSource = Objects.requireNonNullElse(halfOpenPerSource, 10);
        check("half-open-per-source", halfOpenPerSource, 1, 1_000_000);
        halfOpenMax = Objects.requireNonNullElse(halfOpenMax, 1000);
        check("half-open-max", halfOpenMax, 1, 10_000_000);
    }

    /** All defaults. */
    public static IkeSettings defaults() {
        return new IkeSettings(null, null, null, null, null, null, null, null);
    }

    private static void check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigValueException(key, "must be " + min + "-" + max + ", got " + value);
        }
    }
}
