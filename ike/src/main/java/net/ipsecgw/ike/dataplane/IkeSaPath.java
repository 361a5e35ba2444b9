package net.ipsecgw.ike.dataplane;

import java.net.InetSocketAddress;

/**
 * How one established IKE SA reaches its peer, as the data path needs it for NAT keepalives (RFC 3948
 * §4): where the peer is now and whether a NAT sits in front of this side.
 *
 * @param id the IKE SA's identifier (this side's IKE SPI), unique among the IKE SAs alive
 * @param tunnel the connection's name: the tunnel its Child SA pairs are installed for
 * @param remote where the peer is now (its NAT mapping when it is behind a NAT): IKE and ESP go there
 * @param natHere NAT detection found this side's address translated (the peer's
 *     NAT_DETECTION_DESTINATION_IP hash does not match our address and port): the NAT's mappings must be
 *     kept open with keepalives
 */
public record IkeSaPath(long id, String tunnel, InetSocketAddress remote, boolean natHere) {

    @Override
    public String toString() {
        return "IkeSaPath[" + Long.toHexString(id) + ", tunnel=" + tunnel + ", remote=" + remote
                + (natHere ? ", NAT here" : "") + "]";
    }
}
