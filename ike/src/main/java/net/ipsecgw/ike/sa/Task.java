package net.ipsecgw.ike.sa;

import net.ipsecgw.ike.message.ExchangeType;

/**
 * One concern of an exchange (strongSwan's task model): key exchange and nonces, NAT detection,
 * authentication, a Child SA, a rekey, a delete, a liveness check. Several tasks build one message
 * together (IKE_SA_INIT carries the key exchange and NAT detection; IKE_AUTH the authentication and
 * the first Child SA); each adds its payloads and reads its part of the answer.
 *
 * <p>The initiator calls {@link #buildRequest} then {@link #processResponse}; the responder calls
 * {@link #processRequest} then {@link #buildResponse}. Control loop thread only.
 */
interface Task {
    /** How a task came out of a step. */
    enum Status {
        /** Finished. */
        DONE,
        /** Send the same exchange again (a COOKIE or INVALID_KE_PAYLOAD answer, RFC 7296 §§2.6, 1.2). */
        RETRY,
        /** The exchange failed: the IKE SA (when it is not established) or this task is abandoned. */
        FAILED
    }

    /** The exchange this task runs in. */
    ExchangeType exchangeType();

    /** Initiator: adds this task's payloads to the request. */
    default void buildRequest(Exchange exchange) {}

    /** Initiator: reads the response. */
    default Status processResponse(Exchange exchange) {
        return Status.DONE;
    }

    /** Responder: reads the request; a task that rejects it sets {@link Exchange#fail}. */
    default Status processRequest(Exchange exchange) {
        return Status.DONE;
    }

    /** Responder: adds this task's payloads to the response. */
    default void buildResponse(Exchange exchange) {}

    /** Initiator: the exchange was given up (no response after every retransmission). */
    default void abandoned() {}

    /**
     * The same task for the IKE SA that replaced this one by a rekey (RFC 7296 §2.18: later exchanges
     * use the new IKE SA), or null when the task belongs to the old IKE SA only.
     */
    default Task movedTo(IkeSa successor) {
        return null;
    }

    /** A short name for logs. */
    default String name() {
        return getClass().getSimpleName();
    }
}
