package net.ipsecgw.ike.sa;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.ipsecgw.ike.dataplane.TsRange;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;
import net.ipsecgw.ike.message.ProtocolId;

/**
 * Rekeys a Child SA pair (RFC 7296 §§1.3.3, 2.8), make-before-break: the new pair is installed (its
 * inbound SA at once, its outbound SA replacing the old one on the same lane) before the old pair is
 * deleted with an INFORMATIONAL exchange by the side that initiated the rekey.
 *
 * <p>Collisions (§2.8.1): when both peers rekey the same pair at once, each answers the other's request
 * as usual. The exchange that produced the lowest of the four nonces made a redundant pair, which its
 * initiator deletes; the initiator of the surviving exchange deletes the old pair.
 *
 * <pre>
 *   HDR, SK {N(REKEY_SA, old SPI), SA, Ni, [KEi], TSi, TSr}  --&gt;
 *                                      &lt;--  HDR, SK {SA, Nr, [KEr], TSi, TSr}
 *   HDR, SK {D(ESP, old SPI)}  --&gt;          &lt;--  HDR, SK {D(ESP, peer's old SPI)}
 * </pre>
 */
final class ChildRekeyTask extends ChildCreateTask {
    private final ChildSa old;

    private ChildRekeyTask(IkeSa sa, ChildSa old, int lane) {
        super(sa, false, lane);
        this.old = old;
    }

    /** Rekeys {@code old}, keeping its lane. */
    static ChildRekeyTask initiator(IkeSa sa, ChildSa old) {
        old.state(ChildSa.State.REKEYING);
        return new ChildRekeyTask(sa, old, old.lane());
    }

    /** Answers the peer's rekey. */
    static ChildRekeyTask responder(IkeSa sa) {
        return new ChildRekeyTask(sa, null, 0);
    }

    @Override
    protected void addRequestNotifies(Exchange exchange) {
        exchange.add(new NotifyPayload(
                ProtocolId.ESP, ProposalSelection.spiBytes(old.inboundSpi()), NotifyType.REKEY_SA, new byte[0]));
    }

    @Override
    protected List<TsRange> proposedLocalTs() {
        return old.localTs();
    }

    @Override
    protected List<TsRange> proposedRemoteTs() {
        return old.remoteTs();
    }

    @Override
    protected int rekeyCount() {
        return rekeyed().rekeys() + 1;
    }

    private ChildSa responderOld;

    private ChildSa rekeyed() {
        return old != null ? old : responderOld;
    }

    @Override
    public Status processRequest(Exchange exchange) {
        Optional<NotifyPayload> rekey = exchange.notify(NotifyType.REKEY_SA);
        byte[] spi = rekey.map(NotifyPayload::spi).orElse(new byte[0]);
        ChildSa target = spi.length == 4 ? sa.childBySpi(ProposalSelection.spiOf(spi), false) : null;
        if (target == null || target.state() == ChildSa.State.REKEYED || target.state() == ChildSa.State.DELETING) {
            exchange.fail(NotifyType.CHILD_SA_NOT_FOUND, "rekey of an unknown or retired Child SA");
            return Status.FAILED;
        }
        responderOld = target;
        lane = target.lane();
        return super.processRequest(exchange);
    }

    @Override
    protected boolean perCpuRequest() {
        return false; // a rekeyed pair stays on its lane, whatever the count
    }

    @Override
    protected void completed(Exchange exchange, byte[] ni, byte[] nr) {
        if (old == null) {
            if (responderOld.state() == ChildSa.State.REKEYING) {
                responderOld.peerRekey(new ChildSa.PeerRekey(created, ni, nr)); // crossed our own rekey
            }
            return;
        }
        ChildSa.PeerRekey crossed = old.peerRekey();
        old.state(ChildSa.State.REKEYED);
        if (crossed == null || !lowest(ni, nr, crossed)) {
            sa.tasks().queue(List.of(DeleteTask.children(sa, List.of(old))));
        } else {
            // Our exchange made the lowest nonce: our new pair is redundant; the peer deletes the old one.
            created.state(ChildSa.State.DELETING);
            sa.tasks().queue(List.of(DeleteTask.children(sa, List.of(created))));
        }
    }

    /** True when our nonces include the lowest of the four. */
    private static boolean lowest(byte[] ni, byte[] nr, ChildSa.PeerRekey theirs) {
        byte[] ours = min(ni, nr);
        byte[] peer = min(theirs.ni(), theirs.nr());
        return Arrays.compareUnsigned(ours, peer) < 0;
    }

    private static byte[] min(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
    }

    @Override
    protected Status refused(NotifyType error) {
        old.state(error.equals(NotifyType.CHILD_SA_NOT_FOUND) ? ChildSa.State.REKEYED : ChildSa.State.INSTALLED);
        return super.refused(error);
    }

    @Override
    public Task movedTo(IkeSa successor) {
        return old == null ? null : new ChildRekeyTask(successor, old, old.lane());
    }

    @Override
    public void abandoned() {
        if (old != null && old.state() == ChildSa.State.REKEYING) {
            old.state(ChildSa.State.INSTALLED);
        }
        super.abandoned();
    }
}
