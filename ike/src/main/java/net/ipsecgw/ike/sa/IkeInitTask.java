package net.ipsecgw.ike.sa;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.ipsecgw.ike.config.Proposals;
import net.ipsecgw.ike.crypto.IkeSaKeys;
import net.ipsecgw.ike.crypto.InvalidPublicValueException;
import net.ipsecgw.ike.crypto.KeyExchange;
import net.ipsecgw.ike.crypto.KeyExchangeGroup;
import net.ipsecgw.ike.crypto.PrfAlgorithm;
import net.ipsecgw.ike.crypto.SignatureScheme;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.KePayload;
import net.ipsecgw.ike.message.NoncePayload;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;
import net.ipsecgw.ike.message.SaPayload;

/**
 * IKE_SA_INIT's key exchange (RFC 7296 §1.2): proposals, KE and nonces, then SKEYSEED and the SK_*
 * keys (§2.14). The initiator retries with the group an INVALID_KE_PAYLOAD names (§1.3) and with the
 * COOKIE the responder asks for (§2.6). Also announces IKE fragmentation (RFC 7383) and, for
 * certificate authentication, the signature hashes it accepts (RFC 7427 §4).
 *
 * <pre>
 *   Initiator                         Responder
 *   HDR, SAi1, KEi, Ni,
 *     [N(COOKIE)], N(FRAG_SUP),
 *     N(SIGNATURE_HASH_ALGS)  --&gt;
 *                             &lt;--  HDR, SAr1, KEr, Nr, N(FRAG_SUP), N(SIGNATURE_HASH_ALGS)
 * </pre>
 */
final class IkeInitTask implements Task {
    /** Nonce length: at least half the PRF's key size and at least 128 bits (§2.10); 32 bytes covers all. */
    static final int NONCE_LENGTH = 32;

    private final IkeSa sa;
    private KeyExchangeGroup group;
    private KeyExchange keyExchange;
    private byte[] nonce;
    private byte[] cookie;
    private int groupRetries;
    private SaPayload answer;
    private byte[] responsePublic;

    IkeInitTask(IkeSa sa) {
        this.sa = sa;
    }

    @Override
    public ExchangeType exchangeType() {
        return ExchangeType.IKE_SA_INIT;
    }

    @Override
    public void buildRequest(Exchange exchange) {
        List<Proposals.Ike> proposals = sa.connection().ikeProposalList();
        if (group == null) {
            group = KeyExchangeGroup.fromIkeId(proposals.getFirst().groups().getFirst())
                    .orElseThrow();
        }
        if (keyExchange == null || keyExchange.group() != group) {
            keyExchange = group.generate(sa.context().random());
        }
        if (nonce == null) {
            nonce = randomBytes(sa, NONCE_LENGTH);
        }
        if (cookie != null) {
            exchange.add(NotifyPayload.of(NotifyType.COOKIE, cookie)); // first payload, RFC 7296 §2.6
        }
        exchange.add(ProposalSelection.ikeOffer(proposals, new byte[0]));
        exchange.add(new KePayload(group.ikeId(), keyExchange.publicValue()));
        exchange.add(new NoncePayload(nonce));
        addCapabilities(exchange);
    }

    @Override
    public Status processResponse(Exchange exchange) {
        Optional<NotifyPayload> cookieNotify = exchange.notify(NotifyType.COOKIE);
        if (cookieNotify.isPresent() && cookie == null) {
            cookie = cookieNotify.get().data();
            return Status.RETRY;
        }
        Optional<NotifyPayload> invalidKe = exchange.notify(NotifyType.INVALID_KE_PAYLOAD);
        if (invalidKe.isPresent()) {
            return retryWithGroup(invalidKe.get());
        }
        if (exchange.receivedError().isPresent()) {
            return Status.FAILED;
        }
        return completeAsInitiator(exchange);
    }

    private Status retryWithGroup(NotifyPayload notify) {
        byte[] data = notify.data();
        if (data.length != 2 || ++groupRetries > 2) {
            return Status.FAILED;
        }
        int wanted = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
        boolean configured = sa.connection().ikeProposalList().stream()
                .anyMatch(p -> p.groups().contains(wanted));
        Optional<KeyExchangeGroup> next = KeyExchangeGroup.fromIkeId(wanted);
        if (!configured || next.isEmpty() || next.get() == group) {
            return Status.FAILED;
        }
        group = next.get();
        sa.context().events().log(sa, "responder wants key exchange group " + wanted + "; retrying");
        return Status.RETRY;
    }

    private Status completeAsInitiator(Exchange exchange) {
        Optional<SaPayload> answer = exchange.in().first(SaPayload.class);
        Optional<KePayload> ke = exchange.in().first(KePayload.class);
        Optional<NoncePayload> nr = exchange.in().first(NoncePayload.class);
        if (answer.isEmpty()
                || ke.isEmpty()
                || nr.isEmpty()
                || answer.get().proposals().size() != 1) {
            return Status.FAILED;
        }
        Optional<ProposalSelection.Selected<ProposalSelection.IkeChoice>> chosen =
                ProposalSelection.selectIke(answer.get(), sa.connection().ikeProposalList());
        if (chosen.isEmpty()
                || chosen.get().choice().group() != group.ikeId()
                || ke.get().group() != group.ikeId()) {
            return Status.FAILED; // the responder chose something we did not offer
        }
        sa.responderSpi(exchange.in().header().responderSpi());
        sa.recordInitMessage(exchange.inBytes(), true);
        sa.nonces(nonce, nr.get().nonce());
        readCapabilities(exchange);
        return deriveKeys(chosen.get().choice(), ke.get().data()) ? Status.DONE : Status.FAILED;
    }

    @Override
    public Status processRequest(Exchange exchange) {
        Optional<SaPayload> offer = exchange.in().first(SaPayload.class);
        Optional<KePayload> ke = exchange.in().first(KePayload.class);
        Optional<NoncePayload> ni = exchange.in().first(NoncePayload.class);
        if (offer.isEmpty() || ke.isEmpty() || ni.isEmpty()) {
            exchange.fail(NotifyType.INVALID_SYNTAX, "IKE_SA_INIT without SA, KE or Ni");
            return Status.FAILED;
        }
        Optional<ProposalSelection.Selected<ProposalSelection.IkeChoice>> chosen =
                ProposalSelection.selectIke(offer.get(), sa.connection().ikeProposalList());
        if (chosen.isEmpty()) {
            exchange.fail(NotifyType.NO_PROPOSAL_CHOSEN, "no IKE proposal matches");
            return Status.FAILED;
        }
        ProposalSelection.IkeChoice choice = chosen.get().choice();
        if (ke.get().group() != choice.group()) {
            byte[] wanted = {(byte) (choice.group() >>> 8), (byte) choice.group()};
            exchange.fail(NotifyPayload.of(NotifyType.INVALID_KE_PAYLOAD, wanted), "KE for another group");
            return Status.FAILED;
        }
        group = KeyExchangeGroup.fromIkeId(choice.group()).orElseThrow();
        keyExchange = group.generate(sa.context().random());
        responsePublic = keyExchange.publicValue(); // the exchange is destroyed once the secret is derived
        nonce = randomBytes(sa, NONCE_LENGTH);
        sa.recordInitMessage(exchange.inBytes(), false);
        sa.nonces(ni.get().nonce(), nonce);
        readCapabilities(exchange);
        answer = ProposalSelection.ikeAnswer(chosen.get(), new byte[0]);
        if (!deriveKeys(choice, ke.get().data())) {
            exchange.fail(NotifyType.INVALID_SYNTAX, "invalid key exchange value");
            return Status.FAILED;
        }
        return Status.DONE;
    }

    @Override
    public void buildResponse(Exchange exchange) {
        exchange.add(answer);
        exchange.add(new KePayload(group.ikeId(), responsePublic));
        exchange.add(new NoncePayload(nonce));
        addCapabilities(exchange);
    }

    private boolean deriveKeys(ProposalSelection.IkeChoice choice, byte[] peerPublic) {
        byte[] shared;
        try {
            shared = keyExchange.sharedSecret(peerPublic);
        } catch (InvalidPublicValueException e) {
            sa.context().events().log(sa, "invalid KE payload: " + e.getMessage());
            return false;
        } finally {
            keyExchange.destroy();
        }
        PrfAlgorithm prf = PrfAlgorithm.fromIkeId(choice.prf()).orElseThrow();
        IkeSaKeys keys = IkeSaKeys.derive(
                prf,
                0,
                choice.encryption().keyMaterialLength(),
                sa.initiatorNonce(),
                sa.responderNonce(),
                shared,
                sa.initiatorSpi(),
                sa.responderSpi());
        sa.keys(choice, prf, keys);
        return true;
    }

    private void addCapabilities(Exchange exchange) {
        exchange.add(NotifyPayload.of(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED, new byte[0]));
        if (!sa.credentials().usesPsk()) {
            if (!sa.isOriginalInitiator()) {
                // CERTREQ rides in the IKE_SA_INIT response and the IKE_AUTH request (RFC 7296 §1.2).
                exchange.add(sa.credentials().certificateRequest());
            }
            exchange.add(NotifyPayload.of(NotifyType.SIGNATURE_HASH_ALGORITHMS, SignatureHashes.encode()));
        }
    }

    private void readCapabilities(Exchange exchange) {
        sa.peerFragmentation(
                exchange.notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED).isPresent());
        exchange.notify(NotifyType.SIGNATURE_HASH_ALGORITHMS)
                .ifPresent(n -> sa.peerHashAlgorithms(SignatureHashes.decode(n.data())));
    }

    static byte[] randomBytes(IkeSa sa, int length) {
        byte[] bytes = new byte[length];
        sa.context().random().nextBytes(bytes);
        return bytes;
    }

    /** The SIGNATURE_HASH_ALGORITHMS notify's data: 2-byte hash algorithm identifiers (RFC 7427 §4). */
    static final class SignatureHashes {
        private SignatureHashes() {}

        static byte[] encode() {
            Set<Integer> ids = new java.util.TreeSet<>();
            for (SignatureScheme scheme : SignatureScheme.values()) {
                ids.add(scheme.hashAlgorithmId());
            }
            byte[] data = new byte[ids.size() * 2];
            int i = 0;
            for (int id : ids) {
                data[i++] = (byte) (id >>> 8);
                data[i++] = (byte) id;
            }
            return data;
        }

        static Set<Integer> decode(byte[] data) {
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i + 1 < data.length; i += 2) {
                ids.add(((data[i] & 0xff) << 8) | (data[i + 1] & 0xff));
            }
            return ids;
        }
    }
}
