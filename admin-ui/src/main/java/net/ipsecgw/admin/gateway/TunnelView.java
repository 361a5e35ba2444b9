package net.ipsecgw.admin.gateway;

import java.time.Instant;
import java.util.List;

/**
 * A tunnel as the dashboard shows it: a manually keyed tunnel, or an IKE connection with its IKE SA.
 *
 * @param gateway the gateway it belongs to
 * @param name the tunnel's or connection's name
 * @param keying how its SAs come about
 * @param peer the peer's address
 * @param state where it is in its life
 * @param ikeSpis the IKE SA's SPIs ({@code initiator_responder} in hex), or empty
 * @param established when its IKE SA was established, or null
 * @param lastRekey when it was last rekeyed, or null
 * @param childSas its Child SAs per lane
 */
public record TunnelView(
        String gateway,
        String name,
        Keying keying,
        String peer,
        TunnelState state,
        String ikeSpis,
        Instant established,
        Instant lastRekey,
        List<ChildSaView> childSas) {

    /** Copies the list. */
    public TunnelView {
        childSas = List.copyOf(childSas);
    }

    /** How a tunnel's SAs come about. */
    public enum Keying {
        /** From the configuration (like {@code ip xfrm state add}). */
        MANUAL,
        /** Negotiated with IKEv2. */
        IKE
    }
}
