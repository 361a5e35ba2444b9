package net.ipsecgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.ipsecgw.ike.dataplane.TsRange;
import org.junit.jupiter.api.Test;

/**
 * What the captured strongSwan 5.9.8 exchanges (src/test/resources/message/strongswan-psk.txt) say,
 * payload by payload, as strongSwan logged them:
 *
 * <pre>
 * IKE_SA_INIT request 0  [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]
 * IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(CHDLESS_SUP) N(MULT_AUTH) ]
 * IKE_AUTH request 1     [ IDi AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]
 * IKE_AUTH response 1    [ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) ]
 * CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ]
 * INFORMATIONAL request 3   [ D ]  (ESP)       INFORMATIONAL request 4 [ D ]  (IKE)
 * </pre>
 */
class StrongSwanExchangeTest {
    private static final String PSK = MessageVectors.PSK;

    @Test
    void ikeSaInitRequestOffersAesGcmSha256Curve25519() {
        IkeMessage m = MessageVectors.named(PSK, "00").decoded();
        assertEquals(ExchangeType.IKE_SA_INIT, m.header().exchangeType());
        assertTrue(m.header().isInitiator());
        assertFalse(m.header().isResponse());
        assertEquals(0, m.header().messageId());
        assertEquals(0, m.header().responderSpi());

        Proposal p = m.first(SaPayload.class).orElseThrow().proposals().getFirst();
        assertEquals(ProtocolId.IKE, p.protocol());
        assertEquals(
                List.of(
                        new Transform(TransformType.ENCR, SkCipher.ENCR_AES_GCM_16, 256),
                        new Transform(TransformType.PRF, 5),
                        new Transform(TransformType.KE, 31)),
                p.transforms());
        KePayload ke = m.first(KePayload.class).orElseThrow();
        assertEquals(31, ke.group());
        assertEquals(32, ke.data().length);
        assertEquals(32, m.first(NoncePayload.class).orElseThrow().nonce().length);
        assertEquals(
                20, m.notify(NotifyType.NAT_DETECTION_SOURCE_IP).orElseThrow().data().length);
        assertEquals(
                20,
                m.notify(NotifyType.NAT_DETECTION_DESTINATION_IP).orElseThrow().data().length);
        assertTrue(m.hasNotify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
        // RFC 7427 §4: SHA2-256 (2), SHA2-384 (3), SHA2-512 (4), Identity (5)
        assertArrayEquals(
                HexFormat.of().parseHex("0002000300040005"),
                m.notify(NotifyType.SIGNATURE_HASH_ALGORITHMS).orElseThrow().data());
        assertTrue(m.hasNotify(NotifyType.REDIRECT_SUPPORTED));
    }

    @Test
    void ikeSaInitResponseChoosesTheProposal() {
        IkeMessage m = MessageVectors.named(PSK, "01").decoded();
        assertTrue(m.header().isResponse());
        assertFalse(m.header().isInitiator());
        assertEquals(
                MessageVectors.named(PSK, "00").decoded().header().initiatorSpi(),
                m.header().initiatorSpi());
        assertEquals(1, m.first(SaPayload.class).orElseThrow().proposals().size());
        assertTrue(m.hasNotify(NotifyType.CHILDLESS_IKEV2_SUPPORTED));
        assertTrue(m.hasNotify(NotifyType.MULTIPLE_AUTH_SUPPORTED));
    }

    @Test
    void ikeAuthRequestCarriesIdentitySharedKeyAuthAndChildSa() {
        MessageVectors.Vector v = MessageVectors.named(PSK, "02");
        IkeMessage m = v.decoded().decrypt(v.cipher()).orElseThrow();
        IdPayload idi = m.first(IdPayload.class).orElseThrow();
        assertTrue(idi.initiator());
        assertEquals(IdType.FQDN, idi.idType());
        assertEquals("a.ikecap.example", new String(idi.data(), StandardCharsets.US_ASCII));
        assertEquals(
                AuthMethod.SHARED_KEY_MIC,
                m.first(AuthPayload.class).orElseThrow().method());

        Proposal esp = m.first(SaPayload.class).orElseThrow().proposals().getFirst();
        assertEquals(ProtocolId.ESP, esp.protocol());
        assertEquals(4, esp.spi().length);
        assertEquals(
                List.of(new Transform(TransformType.ENCR, 20, 256), new Transform(TransformType.ESN, 0)),
                esp.transforms());

        List<TsPayload> ts = m.payloads(TsPayload.class);
        assertEquals(
                range("10.203.8.0", "10.203.8.255", 0, 0, 65535),
                ts.get(0).selectors().getFirst().toRange());
        assertEquals(
                range("10.203.9.0", "10.203.9.255", 0, 0, 65535),
                ts.get(1).selectors().getFirst().toRange());
        assertTrue(ts.get(0).initiator());
        assertFalse(ts.get(1).initiator());
        List<NotifyType> notifies =
                m.notifies().stream().map(NotifyPayload::notifyType).toList();
        assertEquals(
                List.of(
                        NotifyType.MOBIKE_SUPPORTED,
                        NotifyType.NO_ADDITIONAL_ADDRESSES,
                        NotifyType.MULTIPLE_AUTH_SUPPORTED,
                        NotifyType.EAP_ONLY_AUTHENTICATION,
                        NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED),
                notifies);
    }

    /**
     * RFC 7296 §2.15: AUTH = prf(prf(PSK, "Key Pad for IKEv2"), RealMessage1 | NonceRData |
     * prf(SK_pi, RestOfInitIDPayload)), recomputed from the captured messages, {@link
     * IdPayload#bodyBytes()} and the SK_pi charon logged in the same run (PRF-HMAC-SHA256).
     */
    @Test
    void sharedKeyAuthVerifiesOverTheIdPayloadBody() throws Exception {
        byte[] skPi = HexFormat.of().parseHex("6123ec609d835f7b648eedd1d4685968e5d026d5c5ed43173e78851c57e5bfda");
        byte[] realMessage1 = MessageVectors.named(PSK, "00").bytes();
        byte[] nonceR = MessageVectors.named(PSK, "01")
                .decoded()
                .first(NoncePayload.class)
                .orElseThrow()
                .nonce();
        MessageVectors.Vector v = MessageVectors.named(PSK, "02");
        IkeMessage auth = v.decoded().decrypt(v.cipher()).orElseThrow();

        byte[] macedId = hmac(skPi, auth.first(IdPayload.class).orElseThrow().bodyBytes());
        byte[] keyPad = hmac(
                "ikecap-psk-not-secret".getBytes(StandardCharsets.US_ASCII),
                "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII));
        byte[] expected = hmac(keyPad, concat(realMessage1, nonceR, macedId));
        assertArrayEquals(expected, auth.first(AuthPayload.class).orElseThrow().data());
    }

    @Test
    void chachaChildSaNarrowsToPortsRangesAndIpv6() {
        MessageVectors.Vector v = MessageVectors.named(PSK, "07");
        IkeMessage m = v.decoded().decrypt(v.cipher()).orElseThrow();
        assertEquals(SkCipher.ENCR_CHACHA20_POLY1305, v.cipher().transformId());
        List<TsPayload> ts = m.payloads(TsPayload.class);
        assertEquals(
                List.of(
                        range("10.203.10.0", "10.203.10.255", 17, 500, 500),
                        range("fd00:203:10::", "fd00:203:10:0:ffff:ffff:ffff:ffff", 0, 0, 65535)),
                ts.get(0).selectors().stream().map(TrafficSelector::toRange).toList());
        assertEquals(
                List.of(
                        range("10.203.11.1", "10.203.11.20", 0, 0, 65535),
                        range("fd00:203:11::", "fd00:203:11:0:ffff:ffff:ffff:ffff", 0, 0, 65535)),
                ts.get(1).selectors().stream().map(TrafficSelector::toRange).toList());
        IdPayload idr = m.first(IdPayload.class).orElseThrow();
        assertFalse(idr.initiator());
        assertEquals(PayloadType.IDR, idr.type());
    }

    @Test
    void childRekeyNamesTheOldSpiAndTheInformationalDeletesIt() {
        MessageVectors.Vector rekey = MessageVectors.named(PSK, "08");
        IkeMessage request = rekey.decoded().decrypt(rekey.cipher()).orElseThrow();
        assertEquals(ExchangeType.CREATE_CHILD_SA, request.header().exchangeType());
        NotifyPayload rekeySa = request.notify(NotifyType.REKEY_SA).orElseThrow();
        assertEquals(ProtocolId.ESP, rekeySa.protocol());
        assertEquals(PayloadType.NOTIFY, request.payloads().getFirst().type());

        MessageVectors.Vector delete = MessageVectors.named(PSK, "10");
        IkeMessage info = delete.decoded().decrypt(delete.cipher()).orElseThrow();
        DeletePayload d = info.first(DeletePayload.class).orElseThrow();
        assertEquals(ProtocolId.ESP, d.protocol());
        assertEquals(
                List.of(rekeySa.spiAsInt()),
                java.util.Arrays.stream(d.spisAsInts()).boxed().toList());
        assertEquals(d, DeletePayload.esp(rekeySa.spiAsInt()));
    }

    @Test
    void ikeSaDeleteHasNoSpisAndItsResponseNoPayloads() {
        MessageVectors.Vector delete = MessageVectors.named(PSK, "14");
        assertEquals(
                List.of(DeletePayload.ikeSa()),
                delete.decoded().decrypt(delete.cipher()).orElseThrow().payloads());
        MessageVectors.Vector response = MessageVectors.named(PSK, "15");
        IkeMessage empty = response.decoded().decrypt(response.cipher()).orElseThrow();
        assertTrue(empty.payloads().isEmpty());
        assertEquals(
                PayloadType.NONE,
                ((EncryptedPayload) response.decoded().payloads().getFirst()).firstPayload());
    }

    private static TsRange range(String start, String end, int protocol, int startPort, int endPort) {
        try {
            return new TsRange(InetAddress.getByName(start), InetAddress.getByName(end), protocol, startPort, endPort);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
