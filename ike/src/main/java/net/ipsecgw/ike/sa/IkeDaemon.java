package net.ipsecgw.ike.sa;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.dataplane.ControlPlane;
import net.ipsecgw.ike.message.EncryptedFragmentPayload;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.FragmentReassembler;
import net.ipsecgw.ike.message.IkeDecodeResult;
import net.ipsecgw.ike.message.IkeHeader;
import net.ipsecgw.ike.message.IkeMessage;
import net.ipsecgw.ike.message.NoncePayload;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;

/**
 * The IKE control plane of a gateway: the table of IKE SAs by SPI, the connections they serve, and
 * the entry points for everything that reaches the control loop — IKE datagrams, the data path's
 * lifetime and acquire reports, and the operator's initiate/terminate/rekey.
 *
 * <pre>
 *   datagram --decode--> IKE_SA_INIT request? --limits, COOKIE, connection--> new responder IkeSa
 *            --SPI--> IkeSa --message ID--> decrypt (SK) --> TaskManager --> tasks
 *   expired(id) --> Child SA rekey (soft) or delete (hard);  acquire(tunnel, lane) --> per-CPU SA
 * </pre>
 *
 * Protects the responder (RFC 7296 §2.6): above the configured number of half-open IKE SAs it answers
 * IKE_SA_INIT only when the request returns a stateless COOKIE, and it caps half-open SAs per source
 * address and in total. Control loop thread only.
 */
public final class IkeDaemon implements ControlPlane {
    /** How long an IKE SA may stay half-open before it is dropped. */
    static final Duration HALF_OPEN_TIMEOUT = Duration.ofSeconds(30);
    /**
     * A responder asks for per-CPU SAs of its own only once the initiator has asked for none for this
     * long: the initiator asks for one per lane of its own right after IKE_AUTH, one exchange at a
     * time, and on a loaded machine those exchanges take seconds.
     */
    static final Duration RESPONDER_ACQUIRE_GRACE = Duration.ofSeconds(10);

    private final IkeContext context;
    private final Map<String, ConnectionConfig> connections = new LinkedHashMap<>();
    private final Map<String, Credentials> credentials = new HashMap<>();
    private final Map<Long, IkeSa> bySpi = new HashMap<>();
    private final Map<Long, IkeSa> childOwners = new HashMap<>();
    private final Map<InetAddress, Integer> halfOpenBySource = new HashMap<>();
    private final Map<IkeSa, Boolean> halfOpenMembers = new HashMap<>();
    private final IkeCounters counters = new IkeCounters();
    private final byte[] cookieSecret = new byte[32];
    private int halfOpen;

    /**
     * A daemon for these connections; their credentials are loaded now.
     *
     * @throws net.ipsecgw.ike.config.ConfigValueException naming the connection key whose file or
     *     identity is unusable
     */
    public IkeDaemon(IkeContext context, List<ConnectionConfig> connections) {
        this.context = context;
        context.random().nextBytes(cookieSecret);
        String defaultId = context.localAddress().getHostAddress();
        for (ConnectionConfig connection : connections) {
            this.connections.put(connection.name(), connection);
            credentials.put(connection.name(), Credentials.load(connection, defaultId));
        }
    }

    IkeContext context() {
        return context;
    }

    /** Drops before any IKE SA, by reason. */
    public IkeCounters counters() {
        return counters;
    }

    /** The configured connections. */
    public List<ConnectionConfig> connections() {
        return List.copyOf(connections.values());
    }

    /** Every IKE SA, oldest first. */
    public List<IkeSa> ikeSas() {
        List<IkeSa> all = new ArrayList<>();
        for (IkeSa sa : bySpi.values()) {
            if (!all.contains(sa)) {
                all.add(sa);
            }
        }
        all.sort((a, b) -> Long.compare(a.createdNanos(), b.createdNanos()));
        return all;
    }

    /** A view of every IKE SA, for readers on other threads. */
    public List<IkeSaStatus> status() {
        long now = context.timers().nanoTime();
        return ikeSas().stream().map(sa -> IkeSaStatus.of(sa, now)).toList();
    }

    // --- ControlPlane ---

    @Override
    public void start() {
        for (ConnectionConfig connection : connections.values()) {
            context.dataPlane()
                    .installPolicy(connection.name(), connection.localSelectors(), connection.remoteSelectors());
            if (connection.startAction() == ConnectionConfig.StartAction.INITIATE) {
                initiate(connection.name());
            }
        }
    }

    @Override
    public void close() {
        for (IkeSa sa : ikeSas()) {
            if (sa.isEstablished() && !sa.tasks().busy()) {
                sa.tasks().queue(List.of(DeleteTask.ike(sa))); // sent once; there is no time to retransmit
            }
            sa.destroy("gateway stopping");
        }
    }

    @Override
    public void ikeReceived(ByteBuf message, InetSocketAddress local, InetSocketAddress remote) {
        try {
            byte[] bytes = ByteBufUtil.getBytes(message);
            IkeDecodeResult result = IkeMessage.decode(message);
            switch (result) {
                case IkeDecodeResult.Ok ok -> dispatch(ok.message(), bytes, local, remote);
                case IkeDecodeResult.UnsupportedCritical critical ->
                    unprotectedError(message, local, remote, "unsupported_critical", unsupportedCritical(critical));
                case IkeDecodeResult.Malformed m
                when m.error().equals(NotifyType.INVALID_MAJOR_VERSION) ->
                    unprotectedError(
                            message,
                            local,
                            remote,
                            "invalid_major_version",
                            NotifyPayload.error(NotifyType.INVALID_MAJOR_VERSION));
                default -> counters.drop("malformed");
            }
        } catch (RuntimeException e) {
            counters.drop("internal_error");
            context.events().log(null, "IKE message from " + remote + " not handled: " + e);
        } finally {
            message.release();
        }
    }

    /**
     * An IKE_SA_INIT request that cannot be processed is answered with the error, unprotected and from
     * no state (RFC 7296 §§2.5, 1.5); anything else is dropped. Both are counted.
     */
    private void unprotectedError(
            ByteBuf datagram, InetSocketAddress local, InetSocketAddress remote, String reason, NotifyPayload error) {
        counters.drop(reason);
        IkeHeader header = IkeHeader.decode(datagram);
        if (header.exchangeType().equals(ExchangeType.IKE_SA_INIT)
                && !header.isResponse()
                && header.responderSpi() == 0) {
            answerInit(header, local, remote, error);
        }
    }

    /** UNSUPPORTED_CRITICAL_PAYLOAD names the payload type in its data (RFC 7296 §3.10.1). */
    private static NotifyPayload unsupportedCritical(IkeDecodeResult.UnsupportedCritical critical) {
        return NotifyPayload.of(
                NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
                new byte[] {(byte) critical.type().value()});
    }

    private void dispatch(IkeMessage message, byte[] bytes, InetSocketAddress local, InetSocketAddress remote) {
        IkeHeader header = message.header();
        if (header.exchangeType().equals(ExchangeType.IKE_SA_INIT) && !header.isResponse()) {
            initRequest(message, bytes, local, remote);
            return;
        }
        long ourSpi = header.isInitiator() ? header.responderSpi() : header.initiatorSpi();
        IkeSa sa = bySpi.get(ourSpi);
        if (sa == null || sa.state() == IkeSa.State.DESTROYED) {
            counters.drop("unknown_spi");
            return;
        }
        if (header.exchangeType().equals(ExchangeType.IKE_SA_INIT)) {
            if (sa.tasks().acceptsResponse(header.messageId()) && sa.isOriginalInitiator()) {
                sa.tasks().received(message, bytes);
            } else {
                counters.drop("unexpected_init_response");
            }
            return;
        }
        protectedMessage(sa, message, bytes, local, remote);
    }

    private void protectedMessage(
            IkeSa sa, IkeMessage message, byte[] bytes, InetSocketAddress local, InetSocketAddress remote) {
        IkeHeader header = message.header();
        boolean accepted = header.isResponse()
                ? sa.tasks().acceptsResponse(header.messageId())
                : sa.tasks().acceptsRequest(header.messageId());
        if (!accepted) {
            counters.drop("wrong_message_id");
            return;
        }
        if (sa.receiveCipher() == null) {
            counters.drop("no_keys");
            return;
        }
        if (message.isFragment()) {
            EncryptedFragmentPayload skf =
                    (EncryptedFragmentPayload) message.payloads().getLast();
            if (skf.totalFragments() > FragmentReassembler.DEFAULT_MAX_FRAGMENTS) {
                counters.drop("too_many_fragments"); // the reassembler would ignore it without a word
                return;
            }
            Optional<IkeDecodeResult> whole = sa.fragments().offer(message, sa.receiveCipher());
            whole.ifPresent(result -> deliver(sa, header, result, bytes, local, remote)); // empty: more to come
            return;
        }
        deliver(sa, header, message.decrypt(sa.receiveCipher()), bytes, local, remote);
    }

    private void deliver(
            IkeSa sa,
            IkeHeader header,
            IkeDecodeResult result,
            byte[] bytes,
            InetSocketAddress local,
            InetSocketAddress remote) {
        switch (result) {
            case IkeDecodeResult.Ok ok -> {
                sa.localAddress(local);
                sa.peerAddress(remote);
                sa.tasks().received(ok.message(), bytes);
            }
            case IkeDecodeResult.IntegrityFailed failed -> counters.drop("bad_icv");
            case IkeDecodeResult.UnsupportedCritical critical -> {
                // RFC 7296 §2.5: an authentic request is refused with the payload type, not processed.
                counters.drop("unsupported_critical");
                if (!header.isResponse()) {
                    sa.tasks().refuse(header, unsupportedCritical(critical));
                }
            }
            case IkeDecodeResult.Malformed malformed
            when !header.isResponse() -> {
                // RFC 7296 §3.10.1: INVALID_SYNTAX, only in an encrypted answer to an authentic request.
                // After a broken IKE_AUTH request the IKE SA stays unauthenticated, and goes as any
                // half-open one does.
                counters.drop("malformed");
                context.events()
                        .log(
                                sa,
                                "authentic " + header.exchangeType() + " request is malformed (" + malformed.reason()
                                        + "): answered INVALID_SYNTAX");
                sa.tasks().refuse(header, NotifyPayload.error(NotifyType.INVALID_SYNTAX));
            }
            default -> counters.drop("malformed");
        }
    }

    // --- IKE_SA_INIT requests: limits, cookies, connection lookup ---

    private void initRequest(IkeMessage message, byte[] bytes, InetSocketAddress local, InetSocketAddress remote) {
        if (message.header().messageId() != 0) {
            counters.drop("wrong_message_id"); // IKE_SA_INIT is always message 0 (RFC 7296 §2.2)
            return;
        }
        long spiI = message.header().initiatorSpi();
        IkeSa existing = findHalfOpen(spiI, remote, bytes);
        if (existing != null) {
            existing.tasks().received(message, bytes); // a retransmission: answered from the cache
            return;
        }
        if (halfOpen >= context.settings().halfOpenMax()
                || halfOpenBySource.getOrDefault(remote.getAddress(), 0)
                        >= context.settings().halfOpenPerSource()) {
            counters.drop("half_open_limit");
            return;
        }
        if (halfOpen >= context.settings().cookieThreshold() && !validCookie(message, remote)) {
            answerInit(message.header(), local, remote, NotifyPayload.of(NotifyType.COOKIE, cookie(message, remote)));
            counters.drop("cookie_requested");
            return;
        }
        Optional<ConnectionConfig> connection = connectionFor(remote.getAddress());
        if (connection.isEmpty()) {
            answerInit(message.header(), local, remote, NotifyPayload.error(NotifyType.NO_PROPOSAL_CHOSEN));
            counters.drop("no_connection");
            return;
        }
        IkeSa sa = new IkeSa(
                this, connection.get(), credentials.get(connection.get().name()), false, spiI, newSpi(), local, remote);
        register(sa);
        countHalfOpen(sa, +1);
        context.timers()
                .schedule(
                        () -> {
                            if (sa.state() == IkeSa.State.CONNECTING) {
                                sa.destroy("half-open for " + HALF_OPEN_TIMEOUT.toSeconds() + " s");
                            }
                        },
                        HALF_OPEN_TIMEOUT);
        sa.tasks().received(message, bytes);
        if (sa.keys() == null) {
            // Refused (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD...): keep no state, so the initiator's
            // corrected request is a new IKE_SA_INIT and not a retransmission (RFC 7296 §1.3).
            sa.destroy("IKE_SA_INIT refused");
        }
    }

    /**
     * The half-open IKE SA a retransmitted IKE_SA_INIT request belongs to: same SPIi, same source, same
     * bytes. A different request with a known SPIi is a new one, not a retransmission to answer with
     * another request's response.
     */
    private IkeSa findHalfOpen(long spiI, InetSocketAddress remote, byte[] bytes) {
        for (IkeSa sa : bySpi.values()) {
            if (!sa.isOriginalInitiator()
                    && sa.initiatorSpi() == spiI
                    && sa.remote().getAddress().equals(remote.getAddress())
                    && sa.state() == IkeSa.State.CONNECTING
                    && java.util.Arrays.equals(sa.initRequest(), bytes)) {
                return sa;
            }
        }
        return null;
    }

    private Optional<ConnectionConfig> connectionFor(InetAddress peer) {
        Optional<ConnectionConfig> exact = connections.values().stream()
                .filter(c -> c.canInitiate() && addressEquals(c.remoteAddress(), peer))
                .findFirst();
        return exact.isPresent()
                ? exact
                : connections.values().stream().filter(c -> !c.canInitiate()).findFirst();
    }

    private static boolean addressEquals(String configured, InetAddress peer) {
        try {
            return InetAddress.getByName(configured).equals(peer);
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** COOKIE = version | SHA-256(Ni | IPi | SPIi | secret) (RFC 7296 §2.6). */
    private byte[] cookie(IkeMessage message, InetSocketAddress remote) {
        byte[] ni = message.first(NoncePayload.class).map(NoncePayload::nonce).orElse(new byte[0]);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ni);
            sha.update(remote.getAddress().getAddress());
            sha.update(ByteBuffer.allocate(8)
                    .putLong(message.header().initiatorSpi())
                    .array());
            sha.update(cookieSecret);
            byte[] digest = sha.digest();
            return ByteBuffer.allocate(4 + digest.length).putInt(1).put(digest).array();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private boolean validCookie(IkeMessage message, InetSocketAddress remote) {
        return message.notify(NotifyType.COOKIE)
                .map(n -> MessageDigest.isEqual(n.data(), cookie(message, remote)))
                .orElse(false);
    }

    private void answerInit(IkeHeader h, InetSocketAddress local, InetSocketAddress remote, NotifyPayload n) {
        IkeHeader header = new IkeHeader(
                h.initiatorSpi(), 0, 0, IkeHeader.VERSION_2_0, ExchangeType.IKE_SA_INIT, IkeHeader.FLAG_RESPONSE, 0, 0);
        ByteBuf out = new IkeMessage(header, List.of(n)).encode(ByteBufAllocator.DEFAULT);
        context.dataPlane().sendIke(out, local, remote);
    }

    // --- the data path's reports ---

    @Override
    public void expired(long id, boolean hard) {
        IkeSa sa = childOwners.get(id);
        ChildSa child = sa == null ? null : sa.child(id);
        if (child == null) {
            return;
        }
        if (hard) {
            context.events().log(sa, "Child SA " + child + " reached its hard lifetime");
            sa.tasks().queue(List.of(DeleteTask.children(sa, List.of(child))));
        } else if (child.state() == ChildSa.State.INSTALLED && sa.isEstablished()) {
            sa.tasks().queue(List.of(ChildRekeyTask.initiator(sa, child)));
        }
    }

    @Override
    public void acquire(String tunnel, int lane) {
        ConnectionConfig connection = connections.get(tunnel);
        if (connection == null) {
            return;
        }
        IkeSa sa = current(tunnel);
        if (sa == null) {
            if (connection.startAction() == ConnectionConfig.StartAction.TRAP && connection.canInitiate()) {
                initiate(tunnel);
            }
            return;
        }
        if (!sa.isEstablished() || !sa.perCpu() || sa.lanesRequested().get(lane) || hasPerCpu(sa, lane)) {
            return;
        }
        long quiet = context.timers().nanoTime() - Math.max(sa.createdNanos(), sa.lastPeerPerCpuNanos());
        if (!sa.isOriginalInitiator() && quiet < RESPONDER_ACQUIRE_GRACE.toNanos()) {
            return; // the initiator is still asking for SAs of its own lanes; ours may come from those
        }
        requestPerCpu(sa, lane);
    }

    private static boolean hasPerCpu(IkeSa sa, int lane) {
        return sa.children().stream().anyMatch(c -> c.lane() == lane && c.state() != ChildSa.State.DELETING);
    }

    private void requestPerCpu(IkeSa sa, int lane) {
        sa.lanesRequested().set(lane);
        sa.tasks().queue(List.of(new PerCpuSaTask(sa, lane)));
    }

    // --- operator actions ---

    /** Initiates a connection unless an IKE SA for it exists or is being set up. */
    public void initiate(String name) {
        ConnectionConfig connection = Objects.requireNonNull(connections.get(name), () -> "no connection " + name);
        if (!connection.canInitiate()) {
            throw new IllegalArgumentException("connection '" + name + "' has remote-address %any: cannot initiate");
        }
        if (current(name) != null) {
            return;
        }
        InetSocketAddress local = new InetSocketAddress(context.localAddress(), context.ikePort());
        InetSocketAddress remote = new InetSocketAddress(connection.remoteAddress(), connection.remotePort());
        IkeSa sa = new IkeSa(this, connection, credentials.get(name), true, newSpi(), 0, local, remote);
        register(sa);
        sa.tasks().queue(List.of(new IkeInitTask(sa), new NatDetectionTask(sa)));
        sa.tasks().queue(List.of(new IkeAuthTask(sa), ChildCreateTask.firstChild(sa)));
    }

    /** Deletes the connection's IKE SAs (and their Child SAs), telling the peer. */
    public void terminate(String name) {
        for (IkeSa sa : ikeSas()) {
            if (sa.connection().name().equals(name)) {
                if (sa.isEstablished()) {
                    sa.tasks().queue(List.of(DeleteTask.ike(sa)));
                } else {
                    sa.destroy("terminated");
                }
            }
        }
    }

    /** Rekeys the connection's IKE SA and every Child SA now. */
    public void rekey(String name) {
        IkeSa sa = current(name);
        if (sa == null || !sa.isEstablished()) {
            throw new IllegalStateException("connection '" + name + "' has no established IKE SA");
        }
        for (ChildSa child : sa.children()) {
            if (child.state() == ChildSa.State.INSTALLED) {
                sa.tasks().queue(List.of(ChildRekeyTask.initiator(sa, child)));
            }
        }
        if (!sa.tasks().has(IkeRekeyTask.class)) {
            sa.tasks().queue(List.of(new IkeRekeyTask(sa)));
        }
    }

    /**
     * The connection's newest established IKE SA, else its newest connecting one, or null. An
     * established IKE SA comes first so that a half-open one (anyone can start one from the peer's
     * address) does not hide it.
     */
    public IkeSa current(String name) {
        IkeSa established = null;
        IkeSa connecting = null;
        for (IkeSa sa : ikeSas()) {
            if (sa.connection().name().equals(name)) {
                if (sa.state() == IkeSa.State.ESTABLISHED) {
                    established = sa;
                } else if (sa.state() == IkeSa.State.CONNECTING) {
                    connecting = sa;
                }
            }
        }
        return established != null ? established : connecting;
    }

    // --- bookkeeping for IkeSa ---

    long newSpi() {
        long spi;
        do {
            spi = context.random().nextLong();
        } while (spi == 0 || bySpi.containsKey(spi));
        return spi;
    }

    private void register(IkeSa sa) {
        bySpi.put(sa.localSpi(), sa);
    }

    IkeSa rekeyedSa(IkeSa old, boolean initiator, long spiI, long spiR) {
        IkeSa fresh =
                new IkeSa(this, old.connection(), old.credentials(), initiator, spiI, spiR, old.local(), old.remote());
        register(fresh);
        return fresh;
    }

    void established(IkeSa sa) {
        countHalfOpen(sa, -1);
    }

    /**
     * True when {@code sa} is its connection's only IKE SA (in any state): its IKE_AUTH request may say
     * INITIAL_CONTACT. False during a simultaneous initiation, or while an older IKE SA lives on.
     */
    boolean firstContact(IkeSa sa) {
        for (IkeSa other : ikeSas()) {
            if (other != sa
                    && other.connection().name().equals(sa.connection().name())
                    && other.state() != IkeSa.State.DESTROYED) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code sa}'s peer, authenticated as {@link IkeSa#remoteIdentity()}, sent INITIAL_CONTACT: it holds
     * no other IKE SA with us. The connection's other IKE SAs past IKE_AUTH with that identity, and their
     * Child SAs, go at once and without a word to the peer, which would not know their SPIs (RFC 7296
     * §3.10.1). Without this they would live on until DPD or a rekey failed, their Child SAs still
     * installed and sending into the void.
     */
    void initialContact(IkeSa sa) {
        for (IkeSa other : ikeSas()) {
            if (other != sa
                    && other.connection().name().equals(sa.connection().name())
                    && other.remoteIdentity().equals(sa.remoteIdentity())
                    && other.state() != IkeSa.State.CONNECTING
                    && other.state() != IkeSa.State.DESTROYED) {
                context.events()
                        .log(
                                other,
                                "INITIAL_CONTACT from " + sa.remoteIdentity() + " on " + sa
                                        + ": the peer no longer holds this IKE SA");
                other.destroy("replaced after INITIAL_CONTACT");
            }
        }
    }

    /** IKE_AUTH is done and both sides agreed to per-CPU SAs: the initiator asks for one per lane now. */
    void perCpuAgreed(IkeSa sa) {
        if (sa.isOriginalInitiator()) {
            for (int lane = 0; lane < context.dataPlane().laneCount(); lane++) {
                requestPerCpu(sa, lane);
            }
        }
    }

    void destroyed(IkeSa sa) {
        if (bySpi.get(sa.localSpi()) == sa) {
            bySpi.remove(sa.localSpi());
        }
        countHalfOpen(sa, -1);
    }

    private void countHalfOpen(IkeSa sa, int delta) {
        if (sa.isOriginalInitiator()) {
            return;
        }
        boolean member = halfOpenMembers.containsKey(sa);
        if (delta > 0 && !member) {
            halfOpenMembers.put(sa, true);
            halfOpen++;
            halfOpenBySource.merge(sa.remote().getAddress(), 1, Integer::sum);
        } else if (delta < 0 && member) {
            halfOpenMembers.remove(sa);
            halfOpen--;
            halfOpenBySource.merge(sa.remote().getAddress(), -1, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    void childInstalled(IkeSa sa, ChildSa child) {
        childOwners.put(child.id(), sa);
    }

    void childRemoved(IkeSa sa, ChildSa child) {
        if (childOwners.get(child.id()) == sa) {
            childOwners.remove(child.id());
        }
    }

    void restart(ConnectionConfig connection) {
        Duration delay = Duration.ofMillis(1000 + context.random().nextInt(2000));
        context.timers()
                .schedule(
                        () -> {
                            if (current(connection.name()) == null) {
                                initiate(connection.name());
                            }
                        },
                        delay);
    }
}
