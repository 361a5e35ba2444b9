package net.ipsecgw.ike.sa;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.crypto.IkeSaKeys;
import net.ipsecgw.ike.crypto.PrfAlgorithm;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.IkeSaPath;
import net.ipsecgw.ike.message.FragmentReassembler;
import net.ipsecgw.ike.message.SkCipher;

/**
 * One IKE SA (RFC 7296): its SPIs, peer addresses, negotiated algorithms and keys, its Child SAs, and
 * the {@link TaskManager} that runs its exchanges. Created by the {@link IkeDaemon} when this side
 * initiates or when a peer's IKE_SA_INIT is accepted. Control loop thread only.
 */
public final class IkeSa {
    /** Where an IKE SA is in its life. */
    public enum State {
        /** IKE_SA_INIT or IKE_AUTH under way. */
        CONNECTING,
        /** Authenticated; Child SAs may exist. */
        ESTABLISHED,
        /** A newer IKE SA replaced it; it is being deleted. */
        REKEYED,
        /** Being deleted. */
        DELETING,
        /** Gone. */
        DESTROYED
    }

    private final IkeDaemon daemon;
    private final IkeContext context;
    private final ConnectionConfig connection;
    private final Credentials credentials;
    private final boolean originalInitiator;
    private final TaskManager tasks = new TaskManager(this);
    private final Map<Long, ChildSa> children = new LinkedHashMap<>();
    private final long createdNanos;
    private long initiatorSpi;
    private long responderSpi;
    private State state = State.CONNECTING;
    private InetSocketAddress local;
    private InetSocketAddress remote;
    private boolean natLocal;
    private boolean natRemote;
    /** True once the data path was told of this IKE SA's path ({@link #announcePath()}). */
    private boolean pathAnnounced;

    private boolean peerFragmentation;
    private Set<Integer> peerHashAlgorithms = Set.of();
    private boolean perCpu;
    private boolean multiport;
    private final BitSet lanesRequested = new BitSet();
    private int perCpuAccepted;
    private long lastPeerPerCpuNanos;
    private ProposalSelection.IkeChoice suite;
    private PrfAlgorithm prf;
    private IkeSaKeys keys;
    private SkCipher sendCipher;
    private SkCipher receiveCipher;
    private byte[] initiatorNonce;
    private byte[] responderNonce;
    private byte[] initRequest;
    private byte[] initResponse;
    private long lastHeardNanos;
    private Timers.Timer rekeyTimer;
    private Timers.Timer dpdTimer;
    private String remoteIdentity = "";
    private FragmentReassembler fragments;

    IkeSa(
            IkeDaemon daemon,
            ConnectionConfig connection,
            Credentials credentials,
            boolean originalInitiator,
            long initiatorSpi,
            long responderSpi,
            InetSocketAddress local,
            InetSocketAddress remote) {
        this.daemon = daemon;
        this.context = daemon.context();
        this.connection = connection;
        this.credentials = credentials;
        this.originalInitiator = originalInitiator;
        this.initiatorSpi = initiatorSpi;
        this.responderSpi = responderSpi;
        this.local = local;
        this.remote = remote;
        this.createdNanos = context.timers().nanoTime();
        this.lastHeardNanos = createdNanos;
    }

    // --- identity and status (any caller on the control loop) ---

    /** The connection this IKE SA serves. */
    public ConnectionConfig connection() {
        return connection;
    }

    /** Its state. */
    public State state() {
        return state;
    }

    /** The initiator's SPI. */
    public long initiatorSpi() {
        return initiatorSpi;
    }

    /** The responder's SPI (0 until IKE_SA_INIT is answered). */
    public long responderSpi() {
        return responderSpi;
    }

    /** This side's SPI. */
    public long localSpi() {
        return originalInitiator ? initiatorSpi : responderSpi;
    }

    /** True when this side sent IKE_SA_INIT (or the IKE SA rekey that created this SA). */
    public boolean isOriginalInitiator() {
        return originalInitiator;
    }

    /** Where this side sends from. */
    public InetSocketAddress local() {
        return local;
    }

    /** Where the peer is (its NAT mapping when behind NAT). */
    public InetSocketAddress remote() {
        return remote;
    }

    /** The peer's authenticated identity, once IKE_AUTH is done. */
    public String remoteIdentity() {
        return remoteIdentity;
    }

    /** The Child SA pairs, oldest first. */
    public List<ChildSa> children() {
        return List.copyOf(children.values());
    }

    /** True when both sides agreed to per-CPU Child SAs (RFC 9611). */
    public boolean perCpu() {
        return perCpu;
    }

    /** True when both sides agreed to per-lane source ports. */
    public boolean multiport() {
        return multiport;
    }

    /**
     * True when this side may offer or accept per-lane source ports: the connection allows them and no
     * NAT translates this side's address. Behind a NAT the peer's per-CPU traffic, sent from its lane
     * ports to our mapped port 4500, matches none of the NAT's mappings (each was made by a packet to
     * the peer's port 4500) and would be dropped there. A NAT in front of the peer cannot be told from
     * a peer that forces UDP encapsulation (both make {@link #natThere()} true); such a peer, seeing the
     * NAT on its side, does not offer multiport itself.
     */
    boolean multiportPossible() {
        return connection.multiport() && !natLocal;
    }

    /** True when a NAT was detected in front of this side or the peer. */
    public boolean natDetected() {
        return natLocal || natRemote;
    }

    /**
     * True when NAT detection found this side's address translated: the peer's
     * NAT_DETECTION_DESTINATION_IP did not match our address and port (RFC 7296 §2.23). This side then
     * sends NAT keepalives.
     */
    public boolean natHere() {
        return natLocal;
    }

    /**
     * True when the peer's NAT_DETECTION_SOURCE_IP did not match where its message came from. Always
     * true against a peer that forces UDP encapsulation (as this gateway does).
     */
    public boolean natThere() {
        return natRemote;
    }

    /** A short description of the negotiated algorithms. */
    public String algorithms() {
        if (suite == null) {
            return "";
        }
        String encryption = suite.encryption().id() == net.ipsecgw.ike.config.Proposals.ENCR_AES_GCM_16
                ? "AES_GCM_16_" + suite.encryption().keyLength()
                : "CHACHA20_POLY1305";
        String group = net.ipsecgw.ike.crypto.KeyExchangeGroup.fromIkeId(suite.group())
                .map(Enum::name)
                .orElse(String.valueOf(suite.group()));
        return encryption + "/" + prf.name() + "/" + group;
    }

    /** {@link System#nanoTime()} when this IKE SA was created. */
    public long createdNanos() {
        return createdNanos;
    }

    boolean isEstablished() {
        return state == State.ESTABLISHED;
    }

    IkeContext context() {
        return context;
    }

    IkeDaemon daemon() {
        return daemon;
    }

    Credentials credentials() {
        return credentials;
    }

    TaskManager tasks() {
        return tasks;
    }

    // --- negotiation state, written by the tasks ---

    void responderSpi(long spi) {
        this.responderSpi = spi;
    }

    void initiatorSpi(long spi) {
        this.initiatorSpi = spi;
    }

    void nonces(byte[] ni, byte[] nr) {
        this.initiatorNonce = ni;
        this.responderNonce = nr;
    }

    byte[] initiatorNonce() {
        return initiatorNonce;
    }

    byte[] responderNonce() {
        return responderNonce;
    }

    void recordInitMessage(ByteBuf message, boolean response) {
        byte[] bytes = ByteBufUtil.getBytes(message);
        if (response) {
            initResponse = bytes;
        } else {
            initRequest = bytes;
        }
    }

    void recordInitMessage(byte[] bytes, boolean response) {
        if (response) {
            initResponse = bytes;
        } else {
            initRequest = bytes;
        }
    }

    byte[] initRequest() {
        return initRequest;
    }

    byte[] initResponse() {
        return initResponse;
    }

    /** Installs the IKE SA's keys; this side's ciphers follow from its role. */
    void keys(ProposalSelection.IkeChoice suite, PrfAlgorithm prf, IkeSaKeys keys) {
        this.suite = suite;
        this.prf = prf;
        this.keys = keys;
        byte[] mine = originalInitiator ? keys.skEi() : keys.skEr();
        byte[] theirs = originalInitiator ? keys.skEr() : keys.skEi();
        this.sendCipher = SkCipher.create(suite.encryption().id(), mine);
        this.receiveCipher = SkCipher.create(suite.encryption().id(), theirs);
    }

    ProposalSelection.IkeChoice suite() {
        return suite;
    }

    PrfAlgorithm prf() {
        return prf;
    }

    IkeSaKeys keys() {
        return keys;
    }

    SkCipher sendCipher() {
        return sendCipher;
    }

    SkCipher receiveCipher() {
        return receiveCipher;
    }

    void nat(boolean local, boolean remote) {
        this.natLocal = local;
        this.natRemote = remote;
    }

    /** Moves IKE to the NAT-T ports (RFC 7296 §2.23), as this gateway always encapsulates ESP in UDP. */
    void floatToNatT() {
        local = new InetSocketAddress(local.getAddress(), context.natTPort());
        if (remote.getPort() == connection.remotePort() || remote.getPort() == context.ikePort()) {
            remote = new InetSocketAddress(remote.getAddress(), context.natTPort());
        }
    }

    /** A message for this IKE SA arrived on this local address: answer from it. */
    void localAddress(InetSocketAddress address) {
        if (address != null && address.getPort() != 0) {
            local = address;
        }
    }

    FragmentReassembler fragments() {
        if (fragments == null) {
            fragments = new FragmentReassembler();
        }
        return fragments;
    }

    /** The peer's request or response came from here: follow its NAT mapping. */
    void peerAddress(InetSocketAddress sender) {
        if (state != State.CONNECTING || isOnNatT()) {
            boolean moved = !sender.equals(remote);
            remote = sender;
            if (moved && state == State.ESTABLISHED) {
                announcePath(); // the keepalives follow the peer
            }
        }
    }

    /** Tells the data path where the peer is and whether a NAT is in front of us (for its keepalives). */
    private void announcePath() {
        pathAnnounced = true;
        context.dataPlane().ikeSaPath(new IkeSaPath(localSpi(), connection.name(), remote, natLocal));
    }

    private boolean isOnNatT() {
        return local.getPort() == context.natTPort();
    }

    void peerFragmentation(boolean supported) {
        this.peerFragmentation = supported;
    }

    boolean peerSupportsFragmentation() {
        return peerFragmentation;
    }

    void peerHashAlgorithms(Set<Integer> algorithms) {
        this.peerHashAlgorithms = Set.copyOf(algorithms);
    }

    Set<Integer> peerHashAlgorithms() {
        return peerHashAlgorithms;
    }

    void perCpu(boolean agreed) {
        this.perCpu = agreed;
    }

    void multiport(boolean agreed) {
        this.multiport = agreed;
    }

    void remoteIdentity(String identity) {
        this.remoteIdentity = identity;
    }

    BitSet lanesRequested() {
        return lanesRequested;
    }

    /** Responder: per-CPU pairs accepted so far for this tunnel (for TS_MAX_QUEUE). */
    int perCpuAccepted() {
        return perCpuAccepted;
    }

    void perCpuAccepted(int count) {
        this.perCpuAccepted = count;
    }

    /** The peer just asked for a per-CPU pair (it is still covering its lanes). */
    void peerAskedForPerCpu() {
        lastPeerPerCpuNanos = context.timers().nanoTime();
    }

    /** When the peer last asked for a per-CPU pair, or 0. */
    long lastPeerPerCpuNanos() {
        return lastPeerPerCpuNanos;
    }

    // --- sending and liveness ---

    boolean canSend() {
        return state != State.DESTROYED;
    }

    void send(ByteBuf packet) {
        context.dataPlane().sendIke(packet, local, remote);
    }

    void heardFromPeer() {
        lastHeardNanos = context.timers().nanoTime();
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    // --- Child SAs ---

    /** Installs a pair in the data path and keeps it. */
    ChildSa install(ChildSaSpec spec, int rekeys) {
        ChildSa child = new ChildSa(spec, context.timers().nanoTime(), rekeys);
        children.put(spec.id(), child);
        context.dataPlane().install(spec).whenComplete((ok, failure) -> {
            if (failure == null) {
                child.installedInDataPath();
            } else {
                context.events().log(this, "the data path did not install " + spec + ": " + failure);
            }
        });
        daemon.childInstalled(this, child);
        context.events().childInstalled(this, child, rekeys > 0);
        return child;
    }

    /** Removes a pair from the data path and forgets it. */
    void remove(ChildSa child) {
        if (children.remove(child.id()) != null) {
            context.dataPlane().remove(child.id());
            daemon.childRemoved(this, child);
            context.events().childRemoved(this, child);
        }
    }

    /** The pair with this inbound or outbound SPI, or null. */
    ChildSa childBySpi(int spi, boolean inbound) {
        for (ChildSa child : children.values()) {
            if ((inbound ? child.inboundSpi() : child.outboundSpi()) == spi) {
                return child;
            }
        }
        return null;
    }

    ChildSa child(long id) {
        return children.get(id);
    }

    /** Takes over the Child SAs of the IKE SA this one replaces (IKE SA rekey, RFC 7296 §2.18). */
    void adoptChildren(IkeSa old) {
        for (ChildSa child : old.children.values()) {
            children.put(child.id(), child);
            daemon.childInstalled(this, child);
        }
        lanesRequested.or(old.lanesRequested);
        perCpuAccepted = old.perCpuAccepted;
        perCpu = old.perCpu;
        multiport = old.multiport;
        remoteIdentity = old.remoteIdentity;
        peerFragmentation = old.peerFragmentation;
        peerHashAlgorithms = old.peerHashAlgorithms;
        natLocal = old.natLocal;
        natRemote = old.natRemote;
        old.children.clear();
    }

    // --- life cycle ---

    /** IKE_AUTH succeeded. */
    void established() {
        state = State.ESTABLISHED;
        daemon.established(this);
        context.events().established(this, context.timers().nanoTime() - createdNanos);
        announcePath();
        scheduleRekey();
        scheduleDpd();
    }

    /** A rekeyed IKE SA (it replaced an established one) starts its own timers. */
    void establishedByRekey() {
        state = State.ESTABLISHED;
        announcePath();
        scheduleRekey();
        scheduleDpd();
    }

    private void scheduleRekey() {
        Duration rekey = connection.ikeRekeyTime();
        if (rekey.isZero()) {
            return;
        }
        // Up to 10% earlier, at random, so that both peers rarely start a rekey at the same moment.
        long jitter = (long) (rekey.toNanos() * 0.1 * context.random().nextDouble());
        rekeyTimer = context.timers().schedule(this::rekeyDue, rekey.minusNanos(jitter));
    }

    private void rekeyDue() {
        if (state == State.ESTABLISHED && !tasks.has(IkeRekeyTask.class)) {
            tasks.queue(List.of(new IkeRekeyTask(this)));
        }
    }

    private void scheduleDpd() {
        Duration delay = connection.dpdDelay();
        if (!delay.isZero()) {
            dpdTimer = context.timers().schedule(this::dpdDue, delay);
        }
    }

    private void dpdDue() {
        if (state != State.ESTABLISHED) {
            return;
        }
        long now = context.timers().nanoTime();
        long lastTraffic = lastHeardNanos;
        for (ChildSa child : children.values()) {
            lastTraffic =
                    Math.max(lastTraffic, context.dataPlane().usage(child.id()).lastInboundNanos());
        }
        long idle = now - lastTraffic;
        long delay = connection.dpdDelay().toNanos();
        if (idle >= delay && !tasks.busy()) {
            context.events().dpd(this, false);
            tasks.queue(List.of(new DpdTask(this)));
        }
        // Check again when the idle time would reach the delay; at least a second from now, since a
        // busy exchange already proves (or disproves) that the peer is alive.
        long next = Math.max(delay - Math.max(0, idle), Duration.ofSeconds(1).toNanos());
        dpdTimer =
                context.timers().schedule(this::dpdDue, idle >= delay ? connection.dpdDelay() : Duration.ofNanos(next));
    }

    /** Our request went unanswered: the peer is dead (RFC 7296 §2.4). */
    void peerUnreachable(String reason) {
        if (state == State.ESTABLISHED) {
            context.events().dpd(this, true);
        }
        context.events().log(this, "peer unreachable: " + reason);
        destroy("dead peer: " + reason);
        if (connection.dpdAction() == ConnectionConfig.DpdAction.RESTART && connection.canInitiate()) {
            daemon.restart(connection);
        }
    }

    /** Setting up failed (no proposal, authentication failed...). */
    void failed(String reason) {
        context.events().log(this, reason);
        destroy(reason);
    }

    /** The responder side finished answering a request. */
    void responded(Exchange exchange) {
        if (state == State.DELETING && exchange.type().equals(net.ipsecgw.ike.message.ExchangeType.INFORMATIONAL)) {
            destroy("deleted by the peer");
        }
    }

    /** Marks the IKE SA as being deleted (a delete request arrived or was sent). */
    void deleting() {
        state = State.DELETING;
    }

    void rekeyed() {
        state = State.REKEYED;
    }

    /** Removes everything of this IKE SA: its Child SAs from the data path, its timers, its table entry. */
    void destroy(String reason) {
        if (state == State.DESTROYED) {
            return;
        }
        state = State.DESTROYED;
        cancel(rekeyTimer);
        cancel(dpdTimer);
        for (ChildSa child : new ArrayList<>(children.values())) {
            remove(child);
        }
        if (pathAnnounced) {
            context.dataPlane().ikeSaGone(localSpi());
        }
        tasks.close();
        daemon.destroyed(this);
        context.events().ikeDown(this, reason);
    }

    /** Destroys without removing the Child SAs, which a newer IKE SA has adopted. */
    void retire() {
        children.clear();
        destroy("rekeyed");
    }

    private static void cancel(Timers.Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    @Override
    public String toString() {
        return connection.name() + "[" + Long.toHexString(initiatorSpi) + "_i " + Long.toHexString(responderSpi) + "_r "
                + state + "]";
    }
}
