package net.ipsecgw.ike.sa;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.ipsecgw.ike.config.Proposals;
import net.ipsecgw.ike.message.Proposal;
import net.ipsecgw.ike.message.ProtocolId;
import net.ipsecgw.ike.message.SaPayload;
import net.ipsecgw.ike.message.Transform;
import net.ipsecgw.ike.message.TransformType;

/**
 * Turns configured proposals into SA payloads and picks from a peer's offer (RFC 7296 §§2.7, 3.3).
 * The responder walks the initiator's proposals in the initiator's order and takes the first that
 * one of its own configured proposals allows, transform by transform.
 */
final class ProposalSelection {
    private static final int ESN_NO = 0;
    private static final int ESN_YES = 1;

    private ProposalSelection() {}

    /**
     * The chosen IKE SA transforms.
     *
     * @param encryption the AEAD transform
     * @param prf the PRF transform id
     * @param group the key exchange method
     */
    record IkeChoice(Proposals.Encryption encryption, int prf, int group) {}

    /**
     * The chosen Child SA transforms.
     *
     * @param encryption the AEAD transform
     * @param group the PFS key exchange method, or 0 for none
     * @param esn extended sequence numbers
     */
    record EspChoice(Proposals.Encryption encryption, int group, boolean esn) {}

    /** A choice and the proposal it came from (its number and the peer's SPI). */
    record Selected<T>(T choice, Proposal proposal) {}

    /** The IKE SA offer: one proposal per configured one; {@code spi} empty in IKE_SA_INIT. */
    static SaPayload ikeOffer(List<Proposals.Ike> configured, byte[] spi) {
        List<Proposal> proposals = new ArrayList<>();
        for (Proposals.Ike ike : configured) {
            List<Transform> transforms = new ArrayList<>();
            ike.encryption().forEach(e -> transforms.add(encr(e)));
            ike.prfs().forEach(p -> transforms.add(new Transform(TransformType.PRF, p, 0)));
            ike.groups().forEach(g -> transforms.add(new Transform(TransformType.KE, g, 0)));
            proposals.add(new Proposal(proposals.size() + 1, ProtocolId.IKE, spi, transforms));
        }
        return new SaPayload(proposals);
    }

    /** The Child SA offer; {@code withGroups} adds the PFS groups (never in IKE_AUTH, RFC 7296 §1.2). */
    static SaPayload espOffer(List<Proposals.Esp> configured, int spi, boolean withGroups) {
        List<Proposal> proposals = new ArrayList<>();
        for (Proposals.Esp esp : configured) {
            List<Transform> transforms = new ArrayList<>();
            esp.encryption().forEach(e -> transforms.add(encr(e)));
            if (withGroups) {
                esp.groups().forEach(g -> transforms.add(new Transform(TransformType.KE, g, 0)));
            }
            esp.esn().forEach(on -> transforms.add(new Transform(TransformType.ESN, on ? ESN_YES : ESN_NO, 0)));
            proposals.add(new Proposal(proposals.size() + 1, ProtocolId.ESP, spiBytes(spi), transforms));
        }
        return new SaPayload(proposals);
    }

    /** The responder's answer: the chosen transforms under the chosen proposal's number, with its SPI. */
    static SaPayload ikeAnswer(Selected<IkeChoice> selected, byte[] spi) {
        IkeChoice c = selected.choice();
        List<Transform> transforms = List.of(
                encr(c.encryption()),
                new Transform(TransformType.PRF, c.prf(), 0),
                new Transform(TransformType.KE, c.group(), 0));
        return new SaPayload(List.of(new Proposal(selected.proposal().number(), ProtocolId.IKE, spi, transforms)));
    }

    /** The responder's answer for a Child SA. */
    static SaPayload espAnswer(Selected<EspChoice> selected, int spi) {
        EspChoice c = selected.choice();
        List<Transform> transforms = new ArrayList<>();
        transforms.add(encr(c.encryption()));
        if (c.group() != 0) {
            transforms.add(new Transform(TransformType.KE, c.group(), 0));
        }
        transforms.add(new Transform(TransformType.ESN, c.esn() ? ESN_YES : ESN_NO, 0));
        return new SaPayload(
                List.of(new Proposal(selected.proposal().number(), ProtocolId.ESP, spiBytes(spi), transforms)));
    }

    /** The first offered IKE proposal that a configured one allows. */
    static Optional<Selected<IkeChoice>> selectIke(SaPayload offer, List<Proposals.Ike> configured) {
        for (Proposal p : offer.proposals()) {
            if (!p.protocol().equals(ProtocolId.IKE)) {
                continue;
            }
            for (Proposals.Ike ike : configured) {
                Optional<IkeChoice> choice = matchIke(p, ike);
                if (choice.isPresent()) {
                    return Optional.of(new Selected<>(choice.get(), p));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The first offered ESP proposal a configured one allows. With {@code allowKe} false (IKE_AUTH) key
     * exchange transforms are ignored, as RFC 7296 §1.2 requires.
     */
    static Optional<Selected<EspChoice>> selectEsp(SaPayload offer, List<Proposals.Esp> configured, boolean allowKe) {
        for (Proposal p : offer.proposals()) {
            if (!p.protocol().equals(ProtocolId.ESP) || p.spi().length != 4) {
                continue;
            }
            for (Proposals.Esp esp : configured) {
                Optional<EspChoice> choice = matchEsp(p, esp, allowKe);
                if (choice.isPresent()) {
                    return Optional.of(new Selected<>(choice.get(), p));
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<IkeChoice> matchIke(Proposal p, Proposals.Ike ike) {
        if (p.transforms().stream().anyMatch(t -> t.type().equals(TransformType.INTEG) && t.id() != 0)) {
            return Optional.empty(); // AEAD only: an integrity transform means a non-AEAD cipher
        }
        Optional<Proposals.Encryption> e = firstEncryption(p, ike.encryption());
        Optional<Integer> prf = firstOf(p, TransformType.PRF, ike.prfs());
        Optional<Integer> group = firstOf(p, TransformType.KE, ike.groups());
        if (e.isEmpty() || prf.isEmpty() || group.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new IkeChoice(e.get(), prf.get(), group.get()));
    }

    private static Optional<EspChoice> matchEsp(Proposal p, Proposals.Esp esp, boolean allowKe) {
        if (p.transforms().stream().anyMatch(t -> t.type().equals(TransformType.INTEG) && t.id() != 0)) {
            return Optional.empty();
        }
        Optional<Proposals.Encryption> e = firstEncryption(p, esp.encryption());
        if (e.isEmpty()) {
            return Optional.empty();
        }
        int group = 0;
        boolean offersKe = p.transforms().stream().anyMatch(t -> t.type().equals(TransformType.KE) && t.id() != 0);
        if (offersKe && allowKe) {
            Optional<Integer> g = firstOf(p, TransformType.KE, esp.groups());
            if (g.isEmpty()) {
                return Optional.empty();
            }
            group = g.get();
        } else if (!esp.groups().isEmpty() && allowKe) {
            return Optional.empty(); // we require PFS and the peer offers none
        }
        List<Integer> esnWanted =
                esp.esn().stream().map(on -> on ? ESN_YES : ESN_NO).toList();
        List<Integer> esnOffered = ids(p, TransformType.ESN);
        if (esnOffered.isEmpty()) {
            esnOffered = List.of(ESN_NO);
        }
        Optional<Integer> esn = esnOffered.stream().filter(esnWanted::contains).findFirst();
        int chosenGroup = group;
        return esn.map(on -> new EspChoice(e.get(), chosenGroup, on == ESN_YES));
    }

    private static Optional<Proposals.Encryption> firstEncryption(Proposal p, List<Proposals.Encryption> allowed) {
        return p.transforms().stream()
                .filter(t -> t.type().equals(TransformType.ENCR))
                .map(t -> new Proposals.Encryption(t.id(), t.keyLength()))
                .filter(allowed::contains)
                .findFirst();
    }

    private static Optional<Integer> firstOf(Proposal p, TransformType type, List<Integer> allowed) {
        return ids(p, type).stream().filter(allowed::contains).findFirst();
    }

    private static List<Integer> ids(Proposal p, TransformType type) {
        return p.transforms().stream()
                .filter(t -> t.type().equals(type))
                .map(Transform::id)
                .toList();
    }

    private static Transform encr(Proposals.Encryption e) {
        return new Transform(TransformType.ENCR, e.id(), e.keyLength());
    }

    static byte[] spiBytes(int spi) {
        return new byte[] {(byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi};
    }

    static int spiOf(byte[] spi) {
        return ((spi[0] & 0xff) << 24) | ((spi[1] & 0xff) << 16) | ((spi[2] & 0xff) << 8) | (spi[3] & 0xff);
    }
}
