package net.ipsecgw.ike.sa;

import net.ipsecgw.ike.message.ExchangeType;

/**
 * A liveness check (RFC 7296 §1.4): an empty INFORMATIONAL request that the peer must answer. No
 * answer after every retransmission makes the task manager declare the peer dead, and the IKE SA is
 * torn down or restarted as the connection's DPD action says.
 *
 * <pre>
 *   HDR, SK {}  --&gt;
 *          &lt;--  HDR, SK {}
 * </pre>
 */
final class DpdTask implements Task {
    private final IkeSa sa;

    DpdTask(IkeSa sa) {
        this.sa = sa;
    }

    @Override
    public ExchangeType exchangeType() {
        return ExchangeType.INFORMATIONAL;
    }

    @Override
    public Status processResponse(Exchange exchange) {
        return Status.DONE; // any authenticated answer proves the peer alive (TaskManager noted when)
    }

    @Override
    public Status processRequest(Exchange exchange) {
        sa.heardFromPeer();
        return Status.DONE;
    }
}
