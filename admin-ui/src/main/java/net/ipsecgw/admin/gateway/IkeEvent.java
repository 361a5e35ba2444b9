package net.ipsecgw.admin.gateway;

import java.time.Duration;
import java.time.Instant;

/**
 * Something that happened to a connection: an exchange finished, an SA came up or went down, DPD
 * spoke, or the operator acted. The log page lists them; the IKE metrics count them.
 *
 * @param time when
 * @param gateway which gateway of this appliance
 * @param connection the connection, or empty for the appliance as a whole
 * @param kind what sort of event
 * @param exchange the exchange type ({@code IKE_SA_INIT}, {@code IKE_AUTH}, {@code CREATE_CHILD_SA},
 *     {@code INFORMATIONAL}) for {@link Kind#EXCHANGE}, the rekeyed SA ({@code IKE}, {@code CHILD}) for
 *     {@link Kind#REKEY}, else empty
 * @param success whether it went well
 * @param latency for {@link Kind#ESTABLISHED}: from the first IKE_SA_INIT request to the IKE SA being
 *     up; else {@link Duration#ZERO}
 * @param message what happened, in words (never keying material)
 */
public record IkeEvent(
        Instant time,
        String gateway,
        String connection,
        Kind kind,
        String exchange,
        boolean success,
        Duration latency,
        String message) {

    /** The sort of an event. */
    public enum Kind {
        /** An exchange completed (or failed, or timed out). */
        EXCHANGE,
        /** An IKE SA was established (its latency is the handshake's). */
        ESTABLISHED,
        /** An IKE SA was deleted. */
        DELETED,
        /** An IKE or Child SA was rekeyed. */
        REKEY,
        /** Dead peer detection: a check answered ({@code success}) or the peer was declared dead. */
        DPD,
        /** A line from the IKE control plane for the operator (Child SAs installed and removed, ...). */
        LOG,
        /** The appliance itself: data path started or stopped, connections saved, operator actions. */
        SYSTEM
    }

    /** An event of the appliance itself. */
    public static IkeEvent system(String gateway, String connection, boolean success, String message) {
        return new IkeEvent(Instant.now(), gateway, connection, Kind.SYSTEM, "", success, Duration.ZERO, message);
    }
}
