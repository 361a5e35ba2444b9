package net.ipsecgw.ike.sa;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.ipsecgw.esp.KeyMaterial;
import net.ipsecgw.esp.SaLifetime;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.crypto.ChildSaKeys;
import net.ipsecgw.ike.crypto.InvalidPublicValueException;
import net.ipsecgw.ike.crypto.KeyExchange;
import net.ipsecgw.ike.crypto.KeyExchangeGroup;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.TsRange;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.KePayload;
import net.ipsecgw.ike.message.NoncePayload;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;
import net.ipsecgw.ike.message.SaPayload;
import net.ipsecgw.ike.message.TrafficSelector;
import net.ipsecgw.ike.message.TsPayload;

/**
 * A Child SA pair (RFC 7296 §§1.2, 1.3.1, 2.9, 2.17): proposals, traffic selectors with narrowing,
 * nonces and optional PFS key exchange, then KEYMAT and the pair's installation in the data path.
 * The first pair rides in IKE_AUTH and is the RFC 9611 fallback pair; later ones use
 * CREATE_CHILD_SA. {@link PerCpuSaTask} and {@link ChildRekeyTask} build on this task.
 *
 * <pre>
 *   IKE_AUTH:        HDR, SK {..., SAi2, TSi, TSr, [N(SA_RESOURCE_INFO)], [N(UDP_EPHEMERAL_SOURCE_PORT)]}
 *                &lt;-- HDR, SK {..., SAr2, TSi, TSr, [N(SA_RESOURCE_INFO)], [N(UDP_EPHEMERAL_SOURCE_PORT)]}
 *   CREATE_CHILD_SA: HDR, SK {[N(REKEY_SA)], [N(SA_RESOURCE_INFO)], SA, Ni, [KEi], TSi, TSr}
 *                &lt;-- HDR, SK {[N(SA_RESOURCE_INFO)], SA, Nr, [KEr], TSi, TSr}
 *   KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr); initiator-to-responder keys first
 * </pre>
 */
class ChildCreateTask implements Task {
    protected final IkeSa sa;
    private final boolean inAuth;
    protected int lane;
    private int inboundSpi;
    private byte[] nonce;
    private KeyExchange keyExchange;
    private SaPayload answer;
    private List<TsRange> answerTsi;
    private List<TsRange> answerTsr;
    private boolean answerPerCpu;
    private boolean answerMultiport;
    private NotifyType childError;
    protected ChildSa created;
    private byte[] responsePublic;

    ChildCreateTask(IkeSa sa, boolean inAuth, int lane) {
        this.sa = sa;
        this.inAuth = inAuth;
        this.lane = lane;
    }

    /** The fallback pair, in the initiator's IKE_AUTH. */
    static ChildCreateTask firstChild(IkeSa sa) {
        return new ChildCreateTask(sa, true, ChildSaSpec.FALLBACK);
    }

    /** The responder's part of IKE_AUTH. */
    static ChildCreateTask responderInAuth(IkeSa sa) {
        return new ChildCreateTask(sa, true, ChildSaSpec.FALLBACK);
    }

    @Override
    public ExchangeType exchangeType() {
        return inAuth ? ExchangeType.IKE_AUTH : ExchangeType.CREATE_CHILD_SA;
    }

    /** Notifies this kind of request carries before the SA payload (REKEY_SA, SA_RESOURCE_INFO). */
    protected void addRequestNotifies(Exchange exchange) {}

    /** True when this request asks for a per-CPU pair. */
    protected boolean perCpuRequest() {
        return false;
    }

    /** The selectors to propose: the configuration's, or those of the pair being rekeyed. */
    protected List<TsRange> proposedLocalTs() {
        return sa.connection().localSelectors();
    }

    protected List<TsRange> proposedRemoteTs() {
        return sa.connection().remoteSelectors();
    }

    /** How many rekeys led to the new pair. */
    protected int rekeyCount() {
        return 0;
    }

    // --- initiator ---

    @Override
    public void buildRequest(Exchange exchange) {
        if (inboundSpi == 0) {
            inboundSpi = sa.context().dataPlane().allocateSpi(spiLane());
        }
        addRequestNotifies(exchange);
        ConnectionConfig connection = sa.connection();
        if (inAuth) {
            if (connection.perCpuSas()) {
                exchange.add(NotifyPayload.of(NotifyType.SA_RESOURCE_INFO, new byte[0]));
            }
            if (sa.multiportPossible()) {
                exchange.add(NotifyPayload.of(NotifyType.UDP_EPHEMERAL_SOURCE_PORT, new byte[0]));
            }
            exchange.add(ProposalSelection.espOffer(connection.espProposalList(), inboundSpi, false));
        } else {
            exchange.add(ProposalSelection.espOffer(connection.espProposalList(), inboundSpi, true));
            nonce = IkeInitTask.randomBytes(sa, IkeInitTask.NONCE_LENGTH);
            exchange.add(new NoncePayload(nonce));
            Optional<KeyExchangeGroup> pfs = pfsGroup();
            if (pfs.isPresent()) {
                keyExchange = pfs.get().generate(sa.context().random());
                exchange.add(new KePayload(pfs.get().ikeId(), keyExchange.publicValue()));
            }
        }
        exchange.add(tsPayload(true, proposedLocalTs()));
        exchange.add(tsPayload(false, proposedRemoteTs()));
    }

    private Optional<KeyExchangeGroup> pfsGroup() {
        return sa.connection().espProposalList().getFirst().groups().stream()
                .findFirst()
                .flatMap(KeyExchangeGroup::fromIkeId);
    }

    private int spiLane() {
        int lanes = sa.context().dataPlane().laneCount();
        return lane == ChildSaSpec.FALLBACK ? sa.context().random().nextInt(lanes) : lane;
    }

    @Override
    public Status processResponse(Exchange exchange) {
        if (!sa.isEstablished()) {
            release(); // IKE_AUTH failed: nothing is installed
            return Status.FAILED;
        }
        Optional<NotifyPayload> error = exchange.receivedError();
        if (error.isPresent()) {
            release();
            return refused(error.get().notifyType());
        }
        Optional<SaPayload> saPayload = exchange.in().first(SaPayload.class);
        List<TsRange> tsi = selectors(exchange, true);
        List<TsRange> tsr = selectors(exchange, false);
        if (saPayload.isEmpty() || saPayload.get().proposals().size() != 1 || tsi.isEmpty() || tsr.isEmpty()) {
            release();
            return failChild("the response has no single SA proposal or no traffic selectors");
        }
        Optional<ProposalSelection.Selected<ProposalSelection.EspChoice>> chosen =
                ProposalSelection.selectEsp(saPayload.get(), sa.connection().espProposalList(), !inAuth);
        if (chosen.isEmpty()) {
            release();
            return failChild("the responder chose a proposal we did not offer");
        }
        if (inAuth) {
            sa.perCpu(sa.connection().perCpuSas()
                    && exchange.notify(NotifyType.SA_RESOURCE_INFO).isPresent());
            sa.multiport(sa.multiportPossible()
                    && exchange.notify(NotifyType.UDP_EPHEMERAL_SOURCE_PORT).isPresent());
        }
        byte[] theirNonce = inAuth
                ? null
                : exchange.in()
                        .first(NoncePayload.class)
                        .map(NoncePayload::nonce)
                        .orElse(null);
        if (!inAuth && theirNonce == null) {
            release();
            return failChild("the response has no nonce");
        }
        byte[] shared = sharedSecret(exchange, chosen.get().choice());
        if (chosen.get().choice().group() != 0 && shared == null) {
            release();
            return failChild("invalid PFS key exchange");
        }
        byte[] ni = inAuth ? sa.initiatorNonce() : nonce;
        byte[] nr = inAuth ? sa.responderNonce() : theirNonce;
        int peerSpi = ProposalSelection.spiOf(chosen.get().proposal().spi());
        created = install(chosen.get().choice(), peerSpi, shared, ni, nr, true, tsi, tsr);
        completed(exchange, ni, nr);
        if (inAuth && sa.perCpu()) {
            sa.daemon().perCpuAgreed(sa);
        }
        return Status.DONE;
    }

    /** Called when the pair is installed; subclasses finish their concern (delete the old pair...). */
    protected void completed(Exchange exchange, byte[] ni, byte[] nr) {}

    /** The responder refused the pair. */
    protected Status refused(NotifyType error) {
        sa.context().events().log(sa, "Child SA refused: " + error);
        return failChild(error.toString());
    }

    private Status failChild(String reason) {
        sa.context().events().log(sa, "no Child SA: " + reason);
        return inAuth ? Status.DONE : Status.FAILED; // the IKE SA stays up without its first child
    }

    private void release() {
        if (inboundSpi != 0 && created == null) {
            sa.context().dataPlane().releaseSpi(inboundSpi);
            inboundSpi = 0;
        }
        if (keyExchange != null) {
            keyExchange.destroy();
        }
    }

    @Override
    public void abandoned() {
        release();
    }

    // --- responder ---

    @Override
    public Status processRequest(Exchange exchange) {
        if (exchange.error() != null) {
            return Status.FAILED; // authentication failed: nothing is installed
        }
        Optional<SaPayload> offer = exchange.in().first(SaPayload.class);
        List<TsRange> tsi = selectors(exchange, true);
        List<TsRange> tsr = selectors(exchange, false);
        if (offer.isEmpty() || tsi.isEmpty() || tsr.isEmpty()) {
            return rejectChild(exchange, NotifyType.INVALID_SYNTAX, "no SA or traffic selectors");
        }
        Optional<ProposalSelection.Selected<ProposalSelection.EspChoice>> chosen =
                ProposalSelection.selectEsp(offer.get(), sa.connection().espProposalList(), !inAuth);
        if (chosen.isEmpty()) {
            return rejectChild(exchange, NotifyType.NO_PROPOSAL_CHOSEN, "no ESP proposal matches");
        }
        List<TsRange> remote = TsNarrowing.narrow(tsi, sa.connection().remoteSelectors());
        List<TsRange> local = TsNarrowing.narrow(tsr, sa.connection().localSelectors());
        if (remote.isEmpty() || local.isEmpty()) {
            return rejectChild(exchange, NotifyType.TS_UNACCEPTABLE, "traffic selectors do not match the policy");
        }
        return acceptChild(exchange, chosen.get(), remote, local);
    }

    private Status acceptChild(
            Exchange exchange,
            ProposalSelection.Selected<ProposalSelection.EspChoice> chosen,
            List<TsRange> remote,
            List<TsRange> local) {
        boolean wantsPerCpu = exchange.notify(NotifyType.SA_RESOURCE_INFO).isPresent();
        if (inAuth) {
            sa.perCpu(wantsPerCpu && sa.connection().perCpuSas());
            sa.multiport(sa.multiportPossible()
                    && exchange.notify(NotifyType.UDP_EPHEMERAL_SOURCE_PORT).isPresent());
            answerPerCpu = sa.perCpu();
            answerMultiport = sa.multiport();
        } else if (wantsPerCpu || perCpuRequest()) {
            if (!sa.perCpu() || sa.perCpuAccepted() >= perCpuMax()) {
                return rejectChild(exchange, NotifyType.TS_MAX_QUEUE, "no more per-CPU Child SAs");
            }
            lane = leastLoadedLane();
            answerPerCpu = true;
        }
        byte[] ni = inAuth
                ? sa.initiatorNonce()
                : exchange.in()
                        .first(NoncePayload.class)
                        .map(NoncePayload::nonce)
                        .orElse(null);
        if (ni == null) {
            return rejectChild(exchange, NotifyType.INVALID_SYNTAX, "no nonce");
        }
        byte[] shared = null;
        if (chosen.choice().group() != 0) {
            Optional<KePayload> ke = exchange.in().first(KePayload.class);
            if (ke.isEmpty() || ke.get().group() != chosen.choice().group()) {
                byte[] wanted = {
                    (byte) (chosen.choice().group() >>> 8),
                    (byte) chosen.choice().group()
                };
                exchange.fail(NotifyPayload.of(NotifyType.INVALID_KE_PAYLOAD, wanted), "KE for another group");
                return Status.FAILED;
            }
            keyExchange = KeyExchangeGroup.fromIkeId(chosen.choice().group())
                    .orElseThrow()
                    .generate(sa.context().random());
            try {
                shared = keyExchange.sharedSecret(ke.get().data());
            } catch (InvalidPublicValueException e) {
                return rejectChild(exchange, NotifyType.INVALID_SYNTAX, "invalid KE: " + e.getMessage());
            }
        }
        byte[] nr = inAuth ? sa.responderNonce() : IkeInitTask.randomBytes(sa, IkeInitTask.NONCE_LENGTH);
        nonce = nr;
        inboundSpi = sa.context().dataPlane().allocateSpi(spiLane());
        int peerSpi = ProposalSelection.spiOf(chosen.proposal().spi());
        answer = ProposalSelection.espAnswer(chosen, inboundSpi);
        answerTsi = remote;
        answerTsr = local;
        if (answerPerCpu && !inAuth) {
            sa.perCpuAccepted(sa.perCpuAccepted() + 1);
            sa.peerAskedForPerCpu();
        }
        created = install(chosen.choice(), peerSpi, shared, ni, nr, false, local, remote);
        completed(exchange, ni, nr);
        return Status.DONE;
    }

    private int perCpuMax() {
        Integer max = sa.connection().perCpuMax();
        return max != null ? max : 2 * sa.context().dataPlane().laneCount();
    }

    private int leastLoadedLane() {
        int lanes = sa.context().dataPlane().laneCount();
        int[] load = new int[lanes];
        for (ChildSa child : sa.children()) {
            if (child.lane() >= 0 && child.lane() < lanes && child.state() == ChildSa.State.INSTALLED) {
                load[child.lane()]++;
            }
        }
        int best = 0;
        for (int k = 1; k < lanes; k++) {
            if (load[k] < load[best]) {
                best = k;
            }
        }
        return best;
    }

    private Status rejectChild(Exchange exchange, NotifyType error, String reason) {
        sa.context().events().log(sa, "refused a Child SA: " + reason);
        if (inAuth) {
            childError = error; // IKE_AUTH still succeeds; the error rides beside AUTH
        } else {
            exchange.fail(error, reason);
        }
        return Status.FAILED;
    }

    @Override
    public void buildResponse(Exchange exchange) {
        if (childError != null) {
            exchange.add(NotifyPayload.error(childError));
            return;
        }
        if (answer == null) {
            return;
        }
        if (answerPerCpu) {
            exchange.add(NotifyPayload.of(NotifyType.SA_RESOURCE_INFO, new byte[0]));
        }
        if (answerMultiport) {
            exchange.add(NotifyPayload.of(NotifyType.UDP_EPHEMERAL_SOURCE_PORT, new byte[0]));
        }
        exchange.add(answer);
        if (!inAuth) {
            exchange.add(new NoncePayload(nonce));
            if (keyExchange != null) {
                exchange.add(new KePayload(keyExchange.group().ikeId(), responsePublic));
                keyExchange.destroy();
            }
        }
        exchange.add(tsPayload(true, answerTsi));
        exchange.add(tsPayload(false, answerTsr));
    }

    // --- both ---

    private byte[] sharedSecret(Exchange exchange, ProposalSelection.EspChoice choice) {
        if (choice.group() == 0 || keyExchange == null) {
            return null;
        }
        Optional<KePayload> ke = exchange.in().first(KePayload.class);
        try {
            return ke.isPresent() && ke.get().group() == choice.group()
                    ? keyExchange.sharedSecret(ke.get().data())
                    : null;
        } catch (InvalidPublicValueException e) {
            return null;
        } finally {
            keyExchange.destroy();
        }
    }

    private ChildSa install(
            ProposalSelection.EspChoice choice,
            int peerSpi,
            byte[] shared,
            byte[] ni,
            byte[] nr,
            boolean weInitiated,
            List<TsRange> localTs,
            List<TsRange> remoteTs) {
        int keyLength = choice.encryption().keyMaterialLength();
        ChildSaKeys keys = ChildSaKeys.derive(sa.prf(), sa.keys().skD(), shared, ni, nr, keyLength);
        byte[] in = weInitiated ? keys.responderToInitiator() : keys.initiatorToResponder();
        byte[] out = weInitiated ? keys.initiatorToResponder() : keys.responderToInitiator();
        boolean perCpuPair = lane != ChildSaSpec.FALLBACK;
        ChildSaSpec spec = new ChildSaSpec(
                sa.context().childIds().incrementAndGet(),
                sa.connection().name(),
                lane,
                inboundSpi,
                peerSpi,
                choice.encryption().espSuite(),
                KeyMaterial.of(in),
                KeyMaterial.of(out),
                choice.esn(),
                sa.connection().replayWindow(),
                lifetime(),
                localTs,
                remoteTs,
                sa.remote(),
                perCpuPair && sa.multiport(),
                weInitiated);
        return sa.install(spec, rekeyCount());
    }

    private SaLifetime lifetime() {
        ConnectionConfig c = sa.connection();
        Duration rekey = c.childRekeyTime();
        long jitter = rekey.isZero()
                ? 0
                : (long) (rekey.toNanos() * 0.1 * sa.context().random().nextDouble());
        long softBytes = c.childRekeyBytes();
        long softPackets = c.childRekeyPackets();
        return new SaLifetime(
                softBytes,
                softBytes == 0 ? 0 : softBytes + softBytes / 10,
                softPackets,
                softPackets == 0 ? 0 : softPackets + softPackets / 10,
                rekey.isZero() ? Duration.ZERO : rekey.minusNanos(jitter),
                c.childLifeTime());
    }

    private static List<TsRange> selectors(Exchange exchange, boolean initiator) {
        return exchange.in().payloads(TsPayload.class).stream()
                .filter(p -> p.initiator() == initiator)
                .findFirst()
                .map(p -> p.selectors().stream().map(TrafficSelector::toRange).toList())
                .orElse(List.of());
    }

    private static TsPayload tsPayload(boolean initiator, List<TsRange> ranges) {
        return new TsPayload(
                initiator, ranges.stream().map(TrafficSelector::fromRange).toList());
    }
}
