package net.ipsecgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * IKE fragmentation (RFC 7383): a 5 KB message split at 1280 bytes reassembles in any order;
 * duplicates are ignored; forged fragments are rejected without disturbing the genuine ones; the
 * Total Fragments rules of §2.6 and the limits hold; strongSwan's captured fragments reassemble.
 */
class FragmentTest {
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
    private static final byte[] KEY = HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233");
    private static final IkeHeader HEADER = IkeHeader.of(5, 6, ExchangeType.IKE_AUTH, IkeHeader.FLAG_RESPONSE, 1);
    private static final IkeMessage BIG = bigMessage();

    private static IkeMessage bigMessage() {
        Random random = new Random(7383);
        byte[] cert = new byte[3000];
        byte[] ca = new byte[2000];
        random.nextBytes(cert);
        random.nextBytes(ca);
        return IkeMessage.of(
                HEADER,
                new IdPayload(false, IdType.FQDN, "responder.example".getBytes()),
                new CertPayload(CertPayload.X509_SIGNATURE, cert),
                new CertPayload(CertPayload.X509_SIGNATURE, ca),
                new AuthPayload(AuthMethod.DIGITAL_SIGNATURE, new byte[64]));
    }

    @Test
    void splitsAFiveKilobyteMessageIntoFragmentsThatFit() {
        List<IkeMessage> fragments = fragments(BIG, 1280);
        assertEquals(5, fragments.size());
        for (int i = 0; i < fragments.size(); i++) {
            EncryptedFragmentPayload skf =
                    (EncryptedFragmentPayload) fragments.get(i).payloads().getLast();
            assertEquals(i + 1, skf.fragmentNumber());
            assertEquals(5, skf.totalFragments());
            assertEquals(i == 0 ? PayloadType.IDR : PayloadType.NONE, skf.firstPayload());
            assertTrue(fragments.get(i).header().unsignedLength() <= 1280);
            assertEquals(HEADER.messageId(), fragments.get(i).header().messageId());
        }
    }

    @Test
    void reassemblesInAnyOrder() {
        List<IkeMessage> fragments = fragments(BIG, 1280);
        for (int seed = 0; seed < 20; seed++) {
            List<IkeMessage> shuffled = new ArrayList<>(fragments);
            Collections.shuffle(shuffled, new Random(seed));
            assertEquals(
                    BIG.payloads(),
                    reassemble(new FragmentReassembler(), shuffled).payloads());
        }
    }

    @Test
    void ignoresDuplicates() {
        List<IkeMessage> fragments = fragments(BIG, 1280);
        FragmentReassembler reassembler = new FragmentReassembler();
        SkCipher peer = cipher();
        for (IkeMessage f : fragments.subList(0, 4)) {
            assertEquals(Optional.empty(), reassembler.offer(f, peer));
            assertEquals(Optional.empty(), reassembler.offer(f, peer));
        }
        assertEquals(
                BIG.payloads(),
                reassembler
                        .offer(fragments.get(4), peer)
                        .orElseThrow()
                        .orElseThrow()
                        .payloads());
        assertEquals(0, reassembler.pendingMessages());
    }

    @Test
    void rejectsAForgedFragmentAndKeepsTheGenuineOnes() {
        List<IkeMessage> fragments = fragments(BIG, 1280);
        EncryptedFragmentPayload genuine =
                (EncryptedFragmentPayload) fragments.get(2).payloads().getLast();
        byte[] data = genuine.data().clone();
        data[20] ^= 1;
        IkeMessage forged =
                IkeMessage.of(fragments.get(2).header(), new EncryptedFragmentPayload(3, 5, PayloadType.NONE, data));
        FragmentReassembler reassembler = new FragmentReassembler();
        SkCipher peer = cipher();
        reassembler.offer(fragments.get(0), peer);
        assertInstanceOf(
                IkeDecodeResult.IntegrityFailed.class,
                reassembler.offer(forged, peer).orElseThrow());
        List<IkeMessage> rest = List.of(fragments.get(1), fragments.get(2), fragments.get(3), fragments.get(4));
        assertEquals(BIG.payloads(), reassemble(reassembler, rest).payloads());
    }

    @Test
    void moreTotalFragmentsRestartAndFewerAreDiscarded() {
        SkCipher sender = cipher();
        List<IkeMessage> coarse = decode(BIG.encodeFragments(ALLOC, sender, 2000)); // 3 fragments
        List<IkeMessage> fine = decode(BIG.encodeFragments(ALLOC, sender, 1280)); // 5 fragments
        FragmentReassembler reassembler = new FragmentReassembler();
        SkCipher peer = cipher();
        reassembler.offer(coarse.get(0), peer);
        reassembler.offer(coarse.get(1), peer);
        // the sender re-fragments smaller (RFC 7383 §2.5.2): start over with the finer fragments
        for (IkeMessage f : fine.subList(0, 4)) {
            assertEquals(Optional.empty(), reassembler.offer(f, peer));
        }
        // the coarse fragment that would have completed the old set now announces fewer: discarded
        assertEquals(Optional.empty(), reassembler.offer(coarse.get(2), peer));
        assertEquals(
                BIG.payloads(),
                reassembler.offer(fine.get(4), peer).orElseThrow().orElseThrow().payloads());
    }

    @Test
    void dropsMessagesOverTheLimits() {
        List<IkeMessage> fragments = fragments(BIG, 1280);
        FragmentReassembler fewFragments = new FragmentReassembler(4, 1 << 20);
        FragmentReassembler fewBytes = new FragmentReassembler(64, 4000);
        SkCipher peer = cipher();
        for (IkeMessage f : fragments) {
            assertEquals(Optional.empty(), fewFragments.offer(f, peer));
            assertEquals(Optional.empty(), fewBytes.offer(f, peer));
        }
    }

    @Test
    void keepsRequestsAndResponsesApartAndEvictsTheOldest() {
        FragmentReassembler reassembler = new FragmentReassembler();
        SkCipher peer = cipher();
        for (int id = 0; id < FragmentReassembler.MAX_MESSAGES + 2; id++) {
            IkeMessage m = new IkeMessage(HEADER.withLength(0).withNextPayload(0), BIG.payloads());
            IkeMessage withId = new IkeMessage(
                    new IkeHeader(5, 6, 0, 0x20, ExchangeType.IKE_AUTH, IkeHeader.FLAG_RESPONSE, id, 0), m.payloads());
            reassembler.offer(
                    decode(withId.encodeFragments(ALLOC, sender, 1280)).getFirst(), peer);
        }
        assertEquals(FragmentReassembler.MAX_MESSAGES, reassembler.pendingMessages());
    }

    private final SkCipher sender = cipher();

    @Test
    void aMessageThatFitsIsOneSkMessage() {
        IkeMessage small = IkeMessage.of(HEADER, NotifyPayload.of(NotifyType.INITIAL_CONTACT));
        List<IkeMessage> out = decode(small.encodeFragments(ALLOC, cipher(), 1280));
        assertEquals(1, out.size());
        assertEquals(PayloadType.SK, out.getFirst().payloads().getLast().type());
        assertEquals(
                small.payloads(), out.getFirst().decrypt(cipher()).orElseThrow().payloads());
        assertThrows(IllegalArgumentException.class, () -> BIG.encodeFragments(ALLOC, cipher(), 57));
    }

    @Test
    void reassemblesStrongSwansFragments() {
        Map<String, List<MessageVectors.Vector>> byMessage = MessageVectors.load(MessageVectors.FRAGMENTS).stream()
                .filter(v -> v.encrypted() && v.decoded().isFragment())
                .collect(Collectors.groupingBy(
                        v -> Long.toHexString(v.decoded().header().initiatorSpi())
                                + v.name().substring(3, v.name().indexOf(' ', 3) + 15),
                        java.util.LinkedHashMap::new,
                        Collectors.toList()));
        assertEquals(6, byMessage.size(), byMessage.keySet().toString());
        for (List<MessageVectors.Vector> parts : byMessage.values()) {
            List<IkeMessage> reversed = new ArrayList<>(
                    parts.stream().map(MessageVectors.Vector::decoded).toList());
            Collections.reverse(reversed);
            IkeMessage whole = reassemble(
                    new FragmentReassembler(), reversed, parts.getFirst().cipher());
            assertTrue(!whole.payloads().isEmpty());
            assertTrue(whole.payloads().stream().noneMatch(p -> PayloadChain.isEncrypted(p.type())));
        }
    }

    private static IkeMessage reassemble(FragmentReassembler reassembler, List<IkeMessage> fragments) {
        return reassemble(reassembler, fragments, cipher());
    }

    private static IkeMessage reassemble(FragmentReassembler reassembler, List<IkeMessage> fragments, SkCipher peer) {
        for (int i = 0; i < fragments.size() - 1; i++) {
            assertEquals(Optional.empty(), reassembler.offer(fragments.get(i), peer));
        }
        return reassembler.offer(fragments.getLast(), peer).orElseThrow().orElseThrow();
    }

    private static List<IkeMessage> fragments(IkeMessage message, int max) {
        return decode(message.encodeFragments(ALLOC, cipher(), max));
    }

    private static List<IkeMessage> decode(List<ByteBuf> datagrams) {
        List<IkeMessage> messages = new ArrayList<>();
        for (ByteBuf d : datagrams) {
            try {
                messages.add(IkeMessage.decode(d).orElseThrow());
            } finally {
                d.release();
            }
        }
        return messages;
    }

    private static SkCipher cipher() {
        return SkCipher.create(SkCipher.ENCR_AES_GCM_16, KEY);
    }
}
