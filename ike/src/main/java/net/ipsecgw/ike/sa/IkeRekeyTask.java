package net.ipsecgw.ike.sa;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.ipsecgw.ike.crypto.IkeSaKeys;
import net.ipsecgw.ike.crypto.InvalidPublicValueException;
import net.ipsecgw.ike.crypto.KeyExchange;
import net.ipsecgw.ike.crypto.KeyExchangeGroup;
import net.ipsecgw.ike.crypto.PrfAlgorithm;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.KePayload;
import net.ipsecgw.ike.message.NoncePayload;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;
import net.ipsecgw.ike.message.SaPayload;

/**
 * Rekeys the IKE SA (RFC 7296 §§1.3.2, 2.18): a CREATE_CHILD_SA exchange proposing protocol IKE with
 * new SPIs, nonces and a fresh key exchange; SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr). The new
 * IKE SA takes over every Child SA; its initiator then deletes the old IKE SA.
 *
 * <p>A rekey request that arrives while this side's own rekey is under way is answered with
 * TEMPORARY_FAILURE (§2.25); the side that gets it tries again after a random delay of a few seconds.
 *
 * <pre>
 *   HDR, SK {SA(IKE, new SPIi), Ni, KEi}  --&gt;
 *                       &lt;--  HDR, SK {SA(IKE, new SPIr), Nr, KEr}
 *   (old SA) HDR, SK {D(IKE)}  --&gt;        &lt;--  HDR, SK {}
 * </pre>
 */
final class IkeRekeyTask implements Task {
    private final IkeSa sa;
    private long newSpi;
    private byte[] nonce;
    private KeyExchange keyExchange;
    private SaPayload answer;

    IkeRekeyTask(IkeSa sa) {
        this.sa = sa;
    }

    @Override
    public ExchangeType exchangeType() {
        return ExchangeType.CREATE_CHILD_SA;
    }

    @Override
    public void buildRequest(Exchange exchange) {
        newSpi = sa.daemon().newSpi();
        nonce = IkeInitTask.randomBytes(sa, IkeInitTask.NONCE_LENGTH);
        KeyExchangeGroup group = KeyExchangeGroup.fromIkeId(sa.suite().group()).orElseThrow();
        keyExchange = group.generate(sa.context().random());
        exchange.add(ProposalSelection.ikeOffer(sa.connection().ikeProposalList(), spiBytes(newSpi)));
        exchange.add(new NoncePayload(nonce));
        exchange.add(new KePayload(group.ikeId(), keyExchange.publicValue()));
    }

    @Override
    public Status processResponse(Exchange exchange) {
        if (exchange.receivedError().isPresent()) {
            retryLater(exchange.receivedError().get().notifyType());
            return Status.FAILED;
        }
        Optional<SaPayload> saPayload = exchange.in().first(SaPayload.class);
        Optional<NoncePayload> nr = exchange.in().first(NoncePayload.class);
        Optional<KePayload> ke = exchange.in().first(KePayload.class);
        if (saPayload.isEmpty()
                || nr.isEmpty()
                || ke.isEmpty()
                || saPayload.get().proposals().size() != 1) {
            retryLater(NotifyType.INVALID_SYNTAX);
            return Status.FAILED;
        }
        var chosen =
                ProposalSelection.selectIke(saPayload.get(), sa.connection().ikeProposalList());
        if (chosen.isEmpty()
                || chosen.get().proposal().spi().length != 8
                || ke.get().group() != keyExchange.group().ikeId()) {
            retryLater(NotifyType.NO_PROPOSAL_CHOSEN);
            return Status.FAILED;
        }
        long peerSpi = ByteBuffer.wrap(chosen.get().proposal().spi()).getLong();
        IkeSa fresh = rekeyed(
                chosen.get().choice(),
                true,
                newSpi,
                peerSpi,
                nonce,
                nr.get().nonce(),
                ke.get().data());
        if (fresh == null) {
            return Status.FAILED;
        }
        sa.tasks().queue(List.of(DeleteTask.ike(sa)));
        return Status.DONE;
    }

    private void retryLater(NotifyType why) {
        if (keyExchange != null) {
            keyExchange.destroy();
        }
        sa.context().events().log(sa, "IKE SA rekey not done (" + why + "); trying again shortly");
        Duration delay = Duration.ofMillis(2000 + sa.context().random().nextInt(8000));
        sa.context()
                .timers()
                .schedule(
                        () -> {
                            if (sa.isEstablished() && !sa.tasks().has(IkeRekeyTask.class)) {
                                sa.tasks().queue(List.of(new IkeRekeyTask(sa)));
                            }
                        },
                        delay);
    }

    @Override
    public Status processRequest(Exchange exchange) {
        if (sa.tasks().has(IkeRekeyTask.class)) {
            exchange.fail(NotifyType.TEMPORARY_FAILURE, "our own IKE SA rekey is under way");
            return Status.FAILED;
        }
        Optional<SaPayload> offer = exchange.in().first(SaPayload.class);
        Optional<NoncePayload> ni = exchange.in().first(NoncePayload.class);
        Optional<KePayload> ke = exchange.in().first(KePayload.class);
        if (offer.isEmpty() || ni.isEmpty() || ke.isEmpty()) {
            exchange.fail(NotifyType.INVALID_SYNTAX, "IKE rekey without SA, Ni or KE");
            return Status.FAILED;
        }
        var chosen = ProposalSelection.selectIke(offer.get(), sa.connection().ikeProposalList());
        if (chosen.isEmpty() || chosen.get().proposal().spi().length != 8) {
            exchange.fail(NotifyType.NO_PROPOSAL_CHOSEN, "no IKE proposal matches");
            return Status.FAILED;
        }
        int group = chosen.get().choice().group();
        if (ke.get().group() != group) {
            exchange.fail(
                    NotifyPayload.of(NotifyType.INVALID_KE_PAYLOAD, new byte[] {(byte) (group >>> 8), (byte) group}),
                    "KE for another group");
            return Status.FAILED;
        }
        keyExchange = KeyExchangeGroup.fromIkeId(group)
                .orElseThrow()
                .generate(sa.context().random());
        nonce = IkeInitTask.randomBytes(sa, IkeInitTask.NONCE_LENGTH);
        newSpi = sa.daemon().newSpi();
        long peerSpi = ByteBuffer.wrap(chosen.get().proposal().spi()).getLong();
        answer = ProposalSelection.ikeAnswer(chosen.get(), spiBytes(newSpi));
        KeyExchange mine = keyExchange;
        byte[] publicValue = mine.publicValue();
        IkeSa fresh = rekeyed(
                chosen.get().choice(),
                false,
                peerSpi,
                newSpi,
                ni.get().nonce(),
                nonce,
                ke.get().data());
        if (fresh == null) {
            exchange.fail(NotifyType.INVALID_SYNTAX, "invalid KE");
            return Status.FAILED;
        }
        responseKe = new KePayload(group, publicValue);
        return Status.DONE;
    }

    private KePayload responseKe;

    @Override
    public void buildResponse(Exchange exchange) {
        exchange.add(answer);
        exchange.add(new NoncePayload(nonce));
        exchange.add(responseKe);
    }

    /** Derives the new IKE SA's keys and moves the Child SAs to it; null when the KE value is invalid. */
    private IkeSa rekeyed(
            ProposalSelection.IkeChoice choice,
            boolean initiator,
            long spiI,
            long spiR,
            byte[] ni,
            byte[] nr,
            byte[] peerPublic) {
        byte[] shared;
        try {
            shared = keyExchange.sharedSecret(peerPublic);
        } catch (InvalidPublicValueException e) {
            sa.context().events().log(sa, "IKE rekey: invalid KE: " + e.getMessage());
            return null;
        } finally {
            keyExchange.destroy();
        }
        PrfAlgorithm newPrf = PrfAlgorithm.fromIkeId(choice.prf()).orElseThrow();
        IkeSaKeys keys = IkeSaKeys.deriveRekey(
                sa.prf(),
                sa.keys().skD(),
                newPrf,
                0,
                choice.encryption().keyMaterialLength(),
                shared,
                ni,
                nr,
                spiI,
                spiR);
        IkeSa fresh = sa.daemon().rekeyedSa(sa, initiator, spiI, spiR);
        fresh.nonces(ni, nr);
        fresh.keys(choice, newPrf, keys);
        fresh.adoptChildren(sa);
        sa.tasks().moveQueuedTo(fresh);
        sa.rekeyed();
        fresh.establishedByRekey();
        sa.context().events().ikeRekeyed(sa, fresh);
        return fresh;
    }

    private static byte[] spiBytes(long spi) {
        return ByteBuffer.allocate(8).putLong(spi).array();
    }
}
