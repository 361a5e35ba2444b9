package net.ipsecgw.ike.sa;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.IkeHeader;
import net.ipsecgw.ike.message.IkeMessage;
import net.ipsecgw.ike.message.IkePayload;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;

/**
 * The exchanges of one IKE SA (RFC 7296 §2.1-2.3): runs the queued initiator tasks one exchange at a
 * time (window size 1), retransmits requests with exponential back-off and gives up after the
 * configured tries, matches responses to requests by message ID, answers the peer's requests through
 * the tasks the responder table names for their exchange type, and answers a retransmitted request
 * from the cached response.
 *
 * <pre>
 *   initiator: queue(tasks) -> buildRequest* -> send (retransmit on timer) -> response -> processResponse*
 *   responder: request(id == expected) -> processRequest* -> buildResponse* -> send, cache
 *              request(id == expected - 1) -> resend cached response
 * </pre>
 *
 * Control loop thread only.
 */
final class TaskManager {
    /** Which tasks answer a request, by exchange type: the responder's dispatch table. */
    private static final Map<ExchangeType, BiFunction<IkeSa, IkeMessage, List<Task>>> RESPONDERS = Map.of(
            ExchangeType.IKE_SA_INIT,
            (sa, m) -> List.of(new IkeInitTask(sa), new NatDetectionTask(sa)),
            ExchangeType.IKE_AUTH,
            (sa, m) -> List.of(new IkeAuthTask(sa), ChildCreateTask.responderInAuth(sa)),
            ExchangeType.CREATE_CHILD_SA,
            CreateChildSaDispatch::responderTasks,
            ExchangeType.INFORMATIONAL,
            (sa, m) -> List.of(new DeleteTask(sa), new DpdTask(sa)));

    private final IkeSa sa;
    private final Deque<List<Task>> queued = new ArrayDeque<>();
    private Outstanding outstanding;
    private int nextRequestId;
    private int expectedRequestId;
    private List<ByteBuf> cachedResponse = List.of();
    private int cachedResponseId = -1;

    /** The request in flight: its tasks, its packets (for retransmission) and its timer. */
    private static final class Outstanding {
        final int messageId;
        final ExchangeType type;
        final List<Task> tasks;
        final long startNanos;
        List<ByteBuf> packets = List.of();
        Timers.Timer timer;
        int retransmissions;

        Outstanding(int messageId, ExchangeType type, List<Task> tasks, long startNanos) {
            this.messageId = messageId;
            this.type = type;
            this.tasks = tasks;
            this.startNanos = startNanos;
        }
    }

    TaskManager(IkeSa sa) {
        this.sa = sa;
    }

    /** Queues an exchange of {@code tasks} (all of one exchange type) and starts it when the window is free. */
    void queue(List<Task> tasks) {
        queued.addLast(List.copyOf(tasks));
        initiateNext();
    }

    /** Queues an exchange ahead of the others. */
    void queueFirst(List<Task> tasks) {
        queued.addFirst(List.copyOf(tasks));
        initiateNext();
    }

    /** True while a request of ours waits for its response. */
    boolean busy() {
        return outstanding != null;
    }

    /** True when a queued or outstanding exchange has a task of this class. */
    boolean has(Class<? extends Task> type) {
        if (outstanding != null && outstanding.tasks.stream().anyMatch(type::isInstance)) {
            return true;
        }
        return queued.stream().flatMap(List::stream).anyMatch(type::isInstance);
    }

    /** The message ID the peer's next request must carry. */
    int expectedRequestId() {
        return expectedRequestId;
    }

    private void initiateNext() {
        if (outstanding != null || queued.isEmpty() || !sa.canSend()) {
            return;
        }
        List<Task> tasks = queued.removeFirst();
        outstanding = new Outstanding(
                nextRequestId,
                tasks.getFirst().exchangeType(),
                tasks,
                sa.context().timers().nanoTime());
        sendRequest();
    }

    private void sendRequest() {
        Exchange exchange = new Exchange(sa, outstanding.type);
        outstanding.tasks.forEach(t -> t.buildRequest(exchange));
        releaseAll(outstanding.packets);
        outstanding.packets = encode(exchange.type(), false, outstanding.messageId, exchange.outgoing());
        outstanding.retransmissions = 0;
        transmit(outstanding.packets);
        armRetransmission();
    }

    private void armRetransmission() {
        Duration first = sa.context().settings().retransmitTimeout();
        double factor = Math.pow(sa.context().settings().retransmitBase(), outstanding.retransmissions);
        Duration delay = Duration.ofNanos((long) (first.toNanos() * factor));
        Outstanding current = outstanding;
        current.timer = sa.context().timers().schedule(() -> retransmit(current), delay);
    }

    private void retransmit(Outstanding request) {
        if (request != outstanding) {
            return;
        }
        if (request.retransmissions >= sa.context().settings().retransmitTries()) {
            outstanding = null;
            releaseAll(request.packets);
            request.tasks.forEach(Task::abandoned);
            sa.context().events().exchange(sa, request.type, true, "no response");
            sa.peerUnreachable(request.type + " request " + Integer.toUnsignedString(request.messageId)
                    + " unanswered after " + request.retransmissions + " retransmissions");
            return;
        }
        request.retransmissions++;
        transmit(request.packets);
        armRetransmission();
    }

    /** A message for this IKE SA, decoded and (unless IKE_SA_INIT) decrypted. */
    void received(IkeMessage message, byte[] bytes) {
        sa.heardFromPeer();
        if (message.header().isResponse()) {
            receivedResponse(message, bytes);
        } else {
            receivedRequest(message, bytes);
        }
    }

    /** True when a request with this message ID is one we should decrypt (new or retransmitted). */
    boolean acceptsRequest(int messageId) {
        return messageId == expectedRequestId || messageId == cachedResponseId;
    }

    /** True when a response with this message ID answers our outstanding request. */
    boolean acceptsResponse(int messageId) {
        return outstanding != null && outstanding.messageId == messageId;
    }

    private void receivedResponse(IkeMessage message, byte[] bytes) {
        if (!acceptsResponse(message.header().messageId())
                || !message.header().exchangeType().equals(outstanding.type)) {
            sa.daemon().counters().drop("unexpected_response");
            sa.context().events().log(sa, "dropped a response with unexpected message ID or exchange type");
            return;
        }
        Outstanding request = outstanding;
        request.timer.cancel();
        Exchange exchange = new Exchange(sa, request.type);
        exchange.received(message, bytes);
        Task.Status worst = Task.Status.DONE;
        for (Task task : request.tasks) {
            Task.Status status = task.processResponse(exchange);
            if (status.ordinal() > worst.ordinal()) {
                worst = status;
            }
            if (status == Task.Status.FAILED && !sa.isEstablished()) {
                break;
            }
        }
        finishRequest(request, worst, exchange);
    }

    private void finishRequest(Outstanding request, Task.Status status, Exchange exchange) {
        if (status == Task.Status.RETRY) {
            sendRequest(); // same message ID: IKE_SA_INIT again with a COOKIE or another KE group
            return;
        }
        outstanding = null;
        releaseAll(request.packets);
        nextRequestId++;
        String result = status == Task.Status.DONE
                ? "ok"
                : exchange.receivedError().map(n -> n.notifyType().toString()).orElse("failed");
        sa.context().events().exchange(sa, request.type, true, result);
        if (status == Task.Status.FAILED && !sa.isEstablished()) {
            sa.failed(request.type + " failed: " + result);
            return;
        }
        initiateNext();
    }

    private void receivedRequest(IkeMessage message, byte[] bytes) {
        int id = message.header().messageId();
        if (id == cachedResponseId && id != expectedRequestId) {
            transmit(cachedResponse); // RFC 7296 §2.1: answer a retransmission from the cache
            return;
        }
        if (id != expectedRequestId) {
            sa.daemon().counters().drop("wrong_message_id");
            sa.context()
                    .events()
                    .log(
                            sa,
                            "dropped a request with message ID " + Integer.toUnsignedString(id) + ", expected "
                                    + Integer.toUnsignedString(expectedRequestId));
            return;
        }
        ExchangeType type = message.header().exchangeType();
        BiFunction<IkeSa, IkeMessage, List<Task>> factory = RESPONDERS.get(type);
        Exchange exchange = new Exchange(sa, type);
        exchange.received(message, bytes);
        List<Task> tasks = factory == null ? List.of() : factory.apply(sa, message);
        if (factory == null) {
            exchange.fail(NotifyType.INVALID_SYNTAX, "unknown exchange type " + type);
        }
        for (Task task : tasks) {
            task.processRequest(exchange);
        }
        List<IkePayload> payloads;
        if (exchange.error() != null) {
            payloads = List.of(exchange.error());
        } else {
            tasks.forEach(t -> t.buildResponse(exchange));
            payloads = exchange.outgoing();
        }
        respond(type, id, payloads);
        String result =
                exchange.error() == null ? "ok" : exchange.error().notifyType().toString();
        sa.context().events().exchange(sa, type, false, result);
        sa.responded(exchange);
        initiateNext();
    }

    /** Sends the response to request {@code id} and keeps it for the request's retransmissions. */
    private void respond(ExchangeType type, int id, List<IkePayload> payloads) {
        expectedRequestId = id + 1;
        releaseAll(cachedResponse);
        cachedResponse = encode(type, true, id, payloads);
        cachedResponseId = id;
        transmit(cachedResponse);
    }

    /**
     * Answers an authentic request that must not be processed (an unknown critical payload, RFC 7296
     * §2.5) with this error notify alone. The response is cached and the window moves on as for any
     * other; a retransmission of the request gets the cached response.
     */
    void refuse(IkeHeader request, NotifyPayload error) {
        int id = request.messageId();
        sa.heardFromPeer();
        if (id == cachedResponseId && id != expectedRequestId) {
            transmit(cachedResponse);
        } else if (id == expectedRequestId) {
            respond(request.exchangeType(), id, List.of(error));
            sa.context()
                    .events()
                    .exchange(
                            sa,
                            request.exchangeType(),
                            false,
                            error.notifyType().toString());
            initiateNext();
        }
    }

    private List<ByteBuf> encode(ExchangeType type, boolean response, int messageId, List<IkePayload> payloads) {
        int flags =
                (sa.isOriginalInitiator() ? IkeHeader.FLAG_INITIATOR : 0) | (response ? IkeHeader.FLAG_RESPONSE : 0);
        IkeHeader header = new IkeHeader(
                sa.initiatorSpi(), sa.responderSpi(), 0, IkeHeader.VERSION_2_0, type, flags, messageId, 0);
        IkeMessage message = new IkeMessage(header, payloads);
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        if (type.equals(ExchangeType.IKE_SA_INIT)) {
            ByteBuf plain = message.encode(alloc);
            sa.recordInitMessage(plain, response);
            return List.of(plain);
        }
        if (sa.peerSupportsFragmentation()) {
            return message.encodeFragments(
                    alloc, sa.sendCipher(), sa.context().settings().fragmentSize());
        }
        return List.of(message.encodeEncrypted(alloc, sa.sendCipher()));
    }

    private void transmit(List<ByteBuf> packets) {
        for (ByteBuf packet : packets) {
            sa.send(packet.retainedDuplicate());
        }
    }

    /** Hands the queued exchanges whose tasks can move to the IKE SA that replaced this one. */
    void moveQueuedTo(IkeSa successor) {
        List<List<Task>> remaining = new java.util.ArrayList<>();
        for (List<Task> tasks : queued) {
            List<Task> moved = tasks.stream().map(t -> t.movedTo(successor)).toList();
            if (moved.stream().allMatch(java.util.Objects::nonNull)) {
                successor.tasks().queue(moved);
            } else {
                remaining.add(tasks);
            }
        }
        queued.clear();
        queued.addAll(remaining);
    }

    /** Stops timers and releases buffers; queued tasks are abandoned. */
    void close() {
        if (outstanding != null) {
            outstanding.timer.cancel();
            releaseAll(outstanding.packets);
            outstanding.tasks.forEach(Task::abandoned);
            outstanding = null;
        }
        queued.forEach(tasks -> tasks.forEach(Task::abandoned));
        queued.clear();
        releaseAll(cachedResponse);
        cachedResponse = List.of();
    }

    private static void releaseAll(List<ByteBuf> packets) {
        packets.forEach(p -> {
            if (p.refCnt() > 0) {
                p.release();
            }
        });
    }
}
