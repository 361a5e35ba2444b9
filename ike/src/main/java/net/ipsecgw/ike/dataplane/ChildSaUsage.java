package net.ipsecgw.ike.dataplane;

/**
 * What a Child SA pair has carried, summed over the lanes that used it (for status, metrics and DPD).
 *
 * @param inboundPackets packets decrypted
 * @param inboundBytes inner bytes decrypted
 * @param outboundPackets packets encrypted
 * @param outboundBytes inner bytes encrypted
 * @param lastInboundNanos {@link System#nanoTime()} of the last packet decrypted, or 0 if none
 */
public record ChildSaUsage(
        long inboundPackets, long inboundBytes, long outboundPackets, long outboundBytes, long lastInboundNanos) {

    /** Nothing carried (also the answer for an unknown pair). */
    public static final ChildSaUsage NONE = new ChildSaUsage(0, 0, 0, 0, 0);
}
