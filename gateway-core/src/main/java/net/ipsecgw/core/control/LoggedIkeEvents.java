package net.ipsecgw.core.control;

import java.time.Instant;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.sa.ChildSa;
import net.ipsecgw.ike.sa.IkeEvents;
import net.ipsecgw.ike.sa.IkeSa;

/** IKE events as lines on standard output: what a gateway run from the command line logs. */
public final class LoggedIkeEvents implements IkeEvents {
    @Override
    public void log(IkeSa sa, String message) {
        line(sa, message);
    }

    @Override
    public void exchange(IkeSa sa, ExchangeType type, boolean asInitiator, String result) {
        if (!result.equals("ok")) {
            line(sa, type + (asInitiator ? " request" : " response") + ": " + result);
        }
    }

    @Override
    public void established(IkeSa sa, long latencyNanos) {
        line(
                sa,
                "IKE SA established with " + sa.remote() + " (" + sa.remoteIdentity() + ", " + sa.algorithms() + ") in "
                        + latencyNanos / 1_000_000 + " ms");
    }

    @Override
    public void childInstalled(IkeSa sa, ChildSa child, boolean rekey) {
        line(sa, (rekey ? "Child SA rekeyed: " : "Child SA installed: ") + child.spec());
    }

    @Override
    public void childRemoved(IkeSa sa, ChildSa child) {
        line(sa, "Child SA removed: " + child.spec());
    }

    @Override
    public void ikeRekeyed(IkeSa oldSa, IkeSa newSa) {
        line(newSa, "IKE SA rekeyed, replacing " + oldSa);
    }

    @Override
    public void ikeDown(IkeSa sa, String reason) {
        line(sa, "IKE SA down: " + reason);
    }

    @Override
    public void dpd(IkeSa sa, boolean dead) {
        if (dead) {
            line(sa, "dead peer detected");
        }
    }

    private static void line(IkeSa sa, String message) {
        System.out.println(Instant.now() + " ike " + (sa == null ? "-" : sa.toString()) + ": " + message);
    }
}
