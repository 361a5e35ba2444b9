package net.ipsecgw.ike.sa;

import java.net.InetSocketAddress;
import java.util.List;
import net.ipsecgw.ike.dataplane.ChildSaSpec;

/**
 * An immutable view of one IKE SA and its Child SAs, taken on the control loop, for status pages,
 * metrics and scripts on any thread.
 *
 * @param connection the connection name
 * @param state the IKE SA's state
 * @param initiatorSpi the initiator's SPI
 * @param responderSpi the responder's SPI
 * @param initiator true when this side initiated the IKE SA
 * @param local where this side sends IKE from
 * @param remote the peer's IKE address
 * @param remoteIdentity the identity the peer proved ("" until IKE_AUTH is done)
 * @param algorithms the negotiated IKE transforms
 * @param perCpu both sides agreed to RFC 9611 per-CPU Child SAs
 * @param multiport both sides agreed to per-lane source ports
 * @param natHere NAT detection found this side's address translated (this side sends NAT keepalives)
 * @param natThere NAT detection found the peer's address translated (or the peer forces UDP
 *     encapsulation)
 * @param ageNanos how long ago the IKE SA was created
 * @param children its Child SA pairs that the data path has installed on every lane ({@link
 *     ChildSa#inDataPath()})
 */
public record IkeSaStatus(
        String connection,
        IkeSa.State state,
        long initiatorSpi,
        long responderSpi,
        boolean initiator,
        InetSocketAddress local,
        InetSocketAddress remote,
        String remoteIdentity,
        String algorithms,
        boolean perCpu,
        boolean multiport,
        boolean natHere,
        boolean natThere,
        long ageNanos,
        List<Child> children) {

    /**
     * One Child SA pair.
     *
     * @param id the pair's id in the data path
     * @param lane its lane, or {@link ChildSaSpec#FALLBACK}
     * @param inboundSpi our SPI
     * @param outboundSpi the peer's SPI
     * @param state its state
     * @param rekeys how many rekeys led to it
     * @param ageNanos how long ago it was installed
     */
    public record Child(
            long id, int lane, int inboundSpi, int outboundSpi, ChildSa.State state, int rekeys, long ageNanos) {}

    /** Copies the list. */
    public IkeSaStatus {
        children = List.copyOf(children);
    }

    static IkeSaStatus of(IkeSa sa, long now) {
        List<Child> children = sa.children().stream()
                .filter(ChildSa::inDataPath)
                .map(c -> new Child(
                        c.id(),
                        c.lane(),
                        c.inboundSpi(),
                        c.outboundSpi(),
                        c.state(),
                        c.rekeys(),
                        now - c.installedNanos()))
                .toList();
        return new IkeSaStatus(
                sa.connection().name(),
                sa.state(),
                sa.initiatorSpi(),
                sa.responderSpi(),
                sa.isOriginalInitiator(),
                sa.local(),
                sa.remote(),
                sa.remoteIdentity(),
                sa.algorithms(),
                sa.perCpu(),
                sa.multiport(),
                sa.natHere(),
                sa.natThere(),
                now - sa.createdNanos(),
                children);
    }
}
