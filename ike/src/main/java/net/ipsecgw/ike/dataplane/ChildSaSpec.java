package net.ipsecgw.ike.dataplane;

import java.net.InetSocketAddress;
import java.util.List;
import net.ipsecgw.esp.EspCipherSuite;
import net.ipsecgw.esp.KeyMaterial;
import net.ipsecgw.esp.SaLifetime;

/**
 * A negotiated Child SA pair (one inbound, one outbound ESP SA) as the data path installs it.
 *
 * @param id the control plane's identifier of this pair, unique in the gateway for its lifetime
 * @param tunnel the connection (tunnel) name the pair belongs to
 * @param lane the lane that owns a per-CPU pair (RFC 9611), or {@link #FALLBACK} for the fallback
 *     pair that every lane may send on until it has its own
 * @param inboundSpi our SPI (allocated with {@link DataPlane#allocateSpi(int)} for {@code lane}, or for
 *     any lane for the fallback pair)
 * @param outboundSpi the peer's SPI
 * @param suite the ESP transform
 * @param inboundKey keying material of the inbound SA (key then salt)
 * @param outboundKey keying material of the outbound SA
 * @param esn extended sequence numbers
 * @param replayWindow inbound replay window in packets, 0 for none
 * @param lifetime soft and hard limits; the data path reports them with {@link
 *     DataPlaneListener#expired(long, boolean)}
 * @param localTs the negotiated (narrowed) local traffic selectors
 * @param remoteTs the negotiated remote traffic selectors
 * @param peer where outbound ESP goes: the peer's NAT-T address (its NAT mapping when behind NAT)
 * @param multiport true when both sides agreed to per-lane source ports and this is a per-CPU pair:
 *     the lane sends from its own source port instead of the NAT-T port
 * @param initiated true when this side initiated the exchange that negotiated the pair: its peer
 *     installed the pair before answering, so the pair may send at once, replacing an older pair of its
 *     lane (or the older fallback pair). False when this side answered: the peer installs its inbound
 *     SA only once the answer arrives, so the pair sends only once no older pair of its lane (or no
 *     older fallback pair) is left, as a rekey responder does in RFC 7296 §2.8
 */
public record ChildSaSpec(
        long id,
        String tunnel,
        int lane,
        int inboundSpi,
        int outboundSpi,
        EspCipherSuite suite,
        KeyMaterial inboundKey,
        KeyMaterial outboundKey,
        boolean esn,
        int replayWindow,
        SaLifetime lifetime,
        List<TsRange> localTs,
        List<TsRange> remoteTs,
        InetSocketAddress peer,
        boolean multiport,
        boolean initiated) {

    /** {@link #lane()} of the fallback pair. */
    public static final int FALLBACK = -1;

    /** Copies the selector lists. */
    public ChildSaSpec {
        localTs = List.copyOf(localTs);
        remoteTs = List.copyOf(remoteTs);
        if (lane < FALLBACK) {
            throw new IllegalArgumentException("lane must be a lane index or FALLBACK, got " + lane);
        }
    }

    /** True for the fallback pair. */
    public boolean isFallback() {
        return lane == FALLBACK;
    }

    /** The keys are never printed. */
    @Override
    public String toString() {
        return "ChildSa[id=" + id + ", tunnel=" + tunnel + ", lane=" + (isFallback() ? "fallback" : lane)
                + ", in=0x" + Integer.toHexString(inboundSpi) + ", out=0x" + Integer.toHexString(outboundSpi)
                + ", " + suite + (esn ? "+ESN" : "") + ", peer=" + peer + (multiport ? ", multiport" : "")
                + (initiated ? "" : ", answered") + "]";
    }
}
