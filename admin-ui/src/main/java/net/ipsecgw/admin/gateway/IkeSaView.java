package net.ipsecgw.admin.gateway;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;

/**
 * One IKE SA as the console shows it.
 *
 * @param gateway which gateway of this appliance holds it ({@code a}, or {@code a}/{@code b} in the demo)
 * @param connection the connection it belongs to
 * @param state where it is in its life
 * @param initiatorSpi the IKE SA's initiator SPI
 * @param responderSpi the IKE SA's responder SPI (0 while IKE_SA_INIT runs)
 * @param local this side's IKE address
 * @param remote the peer's IKE address (its NAT mapping when behind NAT)
 * @param established when it was established, or null
 * @param lastRekey when it or one of its Child SAs was last rekeyed, or null
 * @param childSas its Child SAs, one per lane plus the fallback pair (RFC 9611)
 */
public record IkeSaView(
        String gateway,
        String connection,
        TunnelState state,
        long initiatorSpi,
        long responderSpi,
        InetSocketAddress local,
        InetSocketAddress remote,
        Instant established,
        Instant lastRekey,
        List<ChildSaView> childSas) {

    /** Copies the list. */
    public IkeSaView {
        childSas = List.copyOf(childSas);
    }
}
