package net.ipsecgw.ike.sa;

import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.ike.message.DeletePayload;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.ProtocolId;

/**
 * Deletes Child SA pairs or the IKE SA (RFC 7296 §§1.4.1, 3.11). For Child SAs each side names the
 * SPIs it receives on; the responder answers with its own inbound SPIs of the same pairs, and both
 * remove them from the data path. Deleting the IKE SA deletes its Child SAs with it. Deletes that
 * cross (both sides delete the same pair) are answered as usual.
 *
 * <pre>
 *   HDR, SK {D(ESP, SPIs we receive on)}  --&gt;     &lt;--  HDR, SK {D(ESP, SPIs the peer receives on)}
 *   HDR, SK {D(IKE)}                      --&gt;     &lt;--  HDR, SK {}
 * </pre>
 */
final class DeleteTask implements Task {
    private final IkeSa sa;
    private final List<ChildSa> children;
    private final boolean deleteIke;
    private final List<byte[]> answerSpis = new ArrayList<>();

    private DeleteTask(IkeSa sa, List<ChildSa> children, boolean deleteIke) {
        this.sa = sa;
        this.children = List.copyOf(children);
        this.deleteIke = deleteIke;
    }

    /** Responder: handles whatever the request deletes. */
    DeleteTask(IkeSa sa) {
        this(sa, List.of(), false);
    }

    /** Deletes these pairs. */
    static DeleteTask children(IkeSa sa, List<ChildSa> children) {
        return new DeleteTask(sa, children, false);
    }

    /** Deletes the IKE SA and everything under it. */
    static DeleteTask ike(IkeSa sa) {
        return new DeleteTask(sa, List.of(), true);
    }

    @Override
    public ExchangeType exchangeType() {
        return ExchangeType.INFORMATIONAL;
    }

    @Override
    public void buildRequest(Exchange exchange) {
        if (deleteIke) {
            sa.deleting();
            exchange.add(new DeletePayload(ProtocolId.IKE, 0, List.of()));
            return;
        }
        List<byte[]> spis = new ArrayList<>();
        for (ChildSa child : children) {
            child.state(ChildSa.State.DELETING);
            spis.add(ProposalSelection.spiBytes(child.inboundSpi()));
        }
        exchange.add(new DeletePayload(ProtocolId.ESP, 4, spis));
    }

    @Override
    public Status processResponse(Exchange exchange) {
        if (deleteIke) {
            finishIke();
            return Status.DONE;
        }
        children.forEach(sa::remove); // whatever the peer answered, these pairs are gone on our side
        return Status.DONE;
    }

    @Override
    public Task movedTo(IkeSa successor) {
        return deleteIke || children.isEmpty() ? null : new DeleteTask(successor, children, false);
    }

    @Override
    public void abandoned() {
        if (deleteIke) {
            finishIke();
        } else {
            children.forEach(sa::remove);
        }
    }

    private void finishIke() {
        if (sa.state() == IkeSa.State.REKEYED) {
            sa.retire();
        } else {
            sa.destroy("deleted");
        }
    }

    @Override
    public Status processRequest(Exchange exchange) {
        for (DeletePayload delete : exchange.in().payloads(DeletePayload.class)) {
            if (delete.protocol().equals(ProtocolId.IKE)) {
                sa.deleting(); // destroyed once the answer is sent
                answerSpis.clear();
                return Status.DONE;
            }
            if (delete.protocol().equals(ProtocolId.ESP)) {
                deleteChildren(delete);
            }
        }
        return Status.DONE;
    }

    private void deleteChildren(DeletePayload delete) {
        for (byte[] spi : delete.spis()) {
            if (spi.length != 4) {
                continue;
            }
            ChildSa child = sa.childBySpi(ProposalSelection.spiOf(spi), false);
            if (child != null) {
                answerSpis.add(ProposalSelection.spiBytes(child.inboundSpi()));
                sa.remove(child);
            }
        }
    }

    @Override
    public void buildResponse(Exchange exchange) {
        if (!answerSpis.isEmpty()) {
            exchange.add(new DeletePayload(ProtocolId.ESP, 4, answerSpis));
        }
    }
}
