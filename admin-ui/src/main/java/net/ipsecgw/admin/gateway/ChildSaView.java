package net.ipsecgw.admin.gateway;

import java.time.Instant;

/**
 * One Child SA pair (inbound and outbound ESP SA) as the console shows it.
 *
 * @param lane the lane that owns it, or {@link #FALLBACK} for the fallback pair every lane may use
 * @param inboundSpi our SPI
 * @param outboundSpi the peer's SPI
 * @param sourcePort the UDP source port the lane sends it from (its own with multiport, else the NAT-T port)
 * @param inPackets packets decrypted
 * @param inBytes inner bytes decrypted
 * @param outPackets packets encrypted
 * @param outBytes inner bytes encrypted
 * @param installed when the pair was installed, or null when unknown (manual keying)
 */
public record ChildSaView(
        int lane,
        int inboundSpi,
        int outboundSpi,
        int sourcePort,
        long inPackets,
        long inBytes,
        long outPackets,
        long outBytes,
        Instant installed) {

    /** {@link #lane()} of the fallback pair. */
    public static final int FALLBACK = -1;
}
