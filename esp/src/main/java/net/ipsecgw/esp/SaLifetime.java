package net.ipsecgw.esp;

import java.time.Duration;

/**
 * Soft and hard limits of an SA on bytes (of inner packets), packets and time since installation
 * (RFC 4301 §4.4.2.1). A limit of 0 (or {@link Duration#ZERO}) means none. At a soft limit the control
 * plane rekeys; at a hard limit the SA stops being used.
 */
public record SaLifetime(
        long softBytes, long hardBytes, long softPackets, long hardPackets, Duration softTime, Duration hardTime) {

    /** No limits at all (manual keying without rekeying). */
    public static final SaLifetime UNLIMITED = new SaLifetime(0, 0, 0, 0, Duration.ZERO, Duration.ZERO);

    /** Checks that no limit is negative and that each soft limit is below its hard limit. */
    public SaLifetime {
        checkPair("bytes", softBytes, hardBytes);
        checkPair("packets", softPackets, hardPackets);
        checkPair("time", softTime.toNanos(), hardTime.toNanos());
    }

    /** Limits on time only, as IKE commonly configures them. */
    public static SaLifetime ofTime(Duration soft, Duration hard) {
        return new SaLifetime(0, 0, 0, 0, soft, hard);
    }

    private static void checkPair(String what, long soft, long hard) {
        if (soft < 0 || hard < 0) {
            throw new IllegalArgumentException("lifetime " + what + " must not be negative");
        }
        if (soft != 0 && hard != 0 && soft >= hard) {
            throw new IllegalArgumentException(
                    "soft lifetime " + what + " (" + soft + ") must be below the hard one (" + hard + ")");
        }
    }

    /** What a limit counts. */
    public enum Kind {
        BYTES,
        PACKETS,
        TIME,
        /** The sequence number space is used up (reported as a hard expiry). */
        SEQUENCE
    }
}
