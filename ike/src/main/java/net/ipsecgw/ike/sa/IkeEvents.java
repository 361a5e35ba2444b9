package net.ipsecgw.ike.sa;

import net.ipsecgw.ike.message.ExchangeType;

/**
 * What the control plane reports for logs and metrics. Called on the control loop thread; an
 * implementation must not block. Every method has an empty default.
 */
public interface IkeEvents {
    /** Reports nothing. */
    IkeEvents NONE = new IkeEvents() {};

    /** Something an operator may want to read in the IKE log. */
    default void log(IkeSa sa, String message) {}

    /**
     * An exchange ended.
     *
     * @param asInitiator true when this side sent the request
     * @param result "ok", or the error notify or reason that ended it
     */
    default void exchange(IkeSa sa, ExchangeType type, boolean asInitiator, String result) {}

    /** An IKE SA was established, {@code latencyNanos} after its IKE_SA_INIT started. */
    default void established(IkeSa sa, long latencyNanos) {}

    /** A Child SA pair was installed ({@code rekey} when it replaces one). */
    default void childInstalled(IkeSa sa, ChildSa child, boolean rekey) {}

    /** A Child SA pair was removed. */
    default void childRemoved(IkeSa sa, ChildSa child) {}

    /** The IKE SA was rekeyed. */
    default void ikeRekeyed(IkeSa oldSa, IkeSa newSa) {}

    /** The IKE SA is gone ({@code reason}: deleted, dead peer, failed...). */
    default void ikeDown(IkeSa sa, String reason) {}

    /** A liveness check was sent ({@code dead} false) or found the peer dead ({@code dead} true). */
    default void dpd(IkeSa sa, boolean dead) {}
}
