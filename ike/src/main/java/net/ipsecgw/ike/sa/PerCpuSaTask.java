package net.ipsecgw.ike.sa;

import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;

/**
 * One additional per-CPU Child SA (RFC 9611 §4), requested for a lane that has traffic but only the
 * fallback pair: the same selectors and proposals as the fallback pair, marked with
 * N(SA_RESOURCE_INFO). A responder at its limit answers TS_MAX_QUEUE; the lane then keeps sending on
 * the fallback pair and is not asked for again.
 *
 * <pre>
 *   HDR, SK {N(SA_RESOURCE_INFO), SA, Ni, [KEi], TSi, TSr}  --&gt;
 *                        &lt;--  HDR, SK {N(SA_RESOURCE_INFO), SA, Nr, [KEr], TSi, TSr}
 *                        &lt;--  HDR, SK {N(TS_MAX_QUEUE)}      (responder at its limit)
 * </pre>
 */
final class PerCpuSaTask extends ChildCreateTask {
    PerCpuSaTask(IkeSa sa, int lane) {
        super(sa, false, lane);
    }

    @Override
    protected void addRequestNotifies(Exchange exchange) {
        exchange.add(NotifyPayload.of(NotifyType.SA_RESOURCE_INFO, new byte[0]));
    }

    @Override
    protected boolean perCpuRequest() {
        return true;
    }

    @Override
    protected Status refused(NotifyType error) {
        if (error.equals(NotifyType.TS_MAX_QUEUE)) {
            sa.context()
                    .events()
                    .log(
                            sa,
                            "the peer takes no more per-CPU SAs (TS_MAX_QUEUE); lane " + lane
                                    + " stays on the fallback SA");
            return Status.DONE; // lanesRequested keeps the lane marked, so it is not asked for again
        }
        sa.lanesRequested().clear(lane); // may be asked for again on the next acquire
        return super.refused(error);
    }

    @Override
    public Task movedTo(IkeSa successor) {
        return new PerCpuSaTask(successor, lane);
    }

    @Override
    public void abandoned() {
        sa.lanesRequested().clear(lane);
        super.abandoned();
    }
}
