package net.ipsecgw.ike.sa;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.IkeMessage;
import net.ipsecgw.ike.message.IkePayload;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;

/**
 * One request/response pair being built or read by the tasks of an IKE SA: the payloads going out,
 * the message that came in (decrypted), and, for the responder, the error that replaces the answer.
 * Control loop thread only.
 */
final class Exchange {
    private final IkeSa sa;
    private final ExchangeType type;
    private final List<IkePayload> out = new ArrayList<>();
    private IkeMessage in;
    private byte[] inBytes;
    private NotifyPayload error;
    private String failure;

    Exchange(IkeSa sa, ExchangeType type) {
        this.sa = sa;
        this.type = type;
    }

    IkeSa sa() {
        return sa;
    }

    ExchangeType type() {
        return type;
    }

    /** Adds a payload to the outgoing message. */
    void add(IkePayload payload) {
        out.add(payload);
    }

    /** Adds a payload before all others (NOTIFY(COOKIE) must come first, RFC 7296 §2.6). */
    void addFirst(IkePayload payload) {
        out.addFirst(payload);
    }

    List<IkePayload> outgoing() {
        return out;
    }

    /** The received message (decrypted), with its bytes as they arrived (AUTH signs IKE_SA_INIT's). */
    void received(IkeMessage message, byte[] bytes) {
        this.in = message;
        this.inBytes = bytes;
    }

    IkeMessage in() {
        return in;
    }

    byte[] inBytes() {
        return inBytes;
    }

    Optional<NotifyPayload> notify(NotifyType type) {
        return in.notify(type);
    }

    /** Responder: answer with this error notify alone instead of the tasks' payloads. */
    void fail(NotifyPayload notify, String reason) {
        if (error == null) {
            error = notify;
            failure = reason;
        }
    }

    /** Responder: answer with this error notify, no SPI. */
    void fail(NotifyType type, String reason) {
        fail(NotifyPayload.error(type), reason);
    }

    NotifyPayload error() {
        return error;
    }

    String failure() {
        return failure;
    }

    /** The first error notify in the received message, if any. */
    Optional<NotifyPayload> receivedError() {
        return in.notifies().stream().filter(NotifyPayload::isError).findFirst();
    }
}
