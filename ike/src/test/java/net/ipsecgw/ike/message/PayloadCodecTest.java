package net.ipsecgw.ike.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import net.ipsecgw.ike.dataplane.TsRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every payload type, built by hand from the RFC 7296 §3 diagrams: a message holding it encodes to the
 * bytes the diagram gives, decodes back to an equal payload, and rejects every truncation. Then the
 * generic header rules: critical bit, SK placement, lengths, version.
 */
class PayloadCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final IkeHeader HEADER = IkeHeader.of(
            0x0102030405060708L, 0x1112131415161718L, ExchangeType.INFORMATIONAL, IkeHeader.FLAG_INITIATOR, 7);

    /** A payload and its body as the RFC diagram lays it out (hand-assembled hex). */
    record Case(String name, IkePayload payload, String body) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> payloads() throws Exception {
        return Stream.of(
                new Case(
                        "SA with two proposals",
                        SaPayload.of(
                                new Proposal(
                                        1,
                                        ProtocolId.IKE,
                                        new byte[0],
                                        List.of(
                                                new Transform(TransformType.ENCR, 20, 256),
                                                new Transform(TransformType.PRF, 5),
                                                new Transform(TransformType.KE, 31))),
                                new Proposal(
                                        2,
                                        ProtocolId.ESP,
                                        HEX.parseHex("c0ffee01"),
                                        List.of(
                                                new Transform(TransformType.ENCR, 28),
                                                new Transform(TransformType.ESN, 0)))),
                        // proposal 1: more(2), len 36, #1 IKE spi 0, 3 transforms
                        "02000024" + "01010003"
                                + "0300000c" + "01000014" + "800e0100"
                                + "03000008" + "02000005"
                                + "00000008" + "0400001f"
                                // proposal 2: last(0), len 28, #2 ESP spi 4, 2 transforms
                                + "0000001c" + "02030402" + "c0ffee01"
                                + "03000008" + "0100001c"
                                + "00000008" + "05000000"),
                new Case(
                        "SA with an unknown transform attribute",
                        SaPayload.of(new Proposal(
                                1,
                                ProtocolId.ESP,
                                HEX.parseHex("00000001"),
                                List.of(new Transform(TransformType.ENCR, 20, 128, HEX.parseHex("00070002abcd"))))),
                        "0000001e" + "01030401" + "00000001" + "00000012" + "01000014" + "800e0080" + "00070002abcd"),
                new Case("KE", new KePayload(19, HEX.parseHex("0102030405")), "00130000" + "0102030405"),
                new Case(
                        "Nonce",
                        new NoncePayload(HEX.parseHex("000102030405060708090a0b0c0d0e0f")),
                        "000102030405060708090a0b0c0d0e0f"),
                new Case(
                        "Notify without SPI",
                        NotifyPayload.of(NotifyType.COOKIE, HEX.parseHex("cafe")),
                        "00004006" + "cafe"),
                new Case("Notify error", NotifyPayload.error(NotifyType.NO_PROPOSAL_CHOSEN), "0000000e"),
                new Case(
                        "Notify with ESP SPI",
                        NotifyPayload.forChildSa(ProtocolId.ESP, 0x12345678, NotifyType.REKEY_SA, new byte[0]),
                        "03044009" + "12345678"),
                new Case(
                        "Notify of an unknown private type",
                        NotifyPayload.of(NotifyType.valueOf(50000), new byte[] {1}),
                        "0000c350" + "01"),
                new Case(
                        "IDi IPv4",
                        new IdPayload(true, IdType.IPV4_ADDR, HEX.parseHex("c0000201")),
                        "01000000" + "c0000201"),
                new Case("IDr FQDN", new IdPayload(false, IdType.FQDN, "gw".getBytes()), "02000000" + "6777"),
                new Case(
                        "AUTH",
                        new AuthPayload(AuthMethod.DIGITAL_SIGNATURE, HEX.parseHex("0f00")),
                        "0e000000" + "0f00"),
                new Case("CERT", new CertPayload(CertPayload.X509_SIGNATURE, HEX.parseHex("3082")), "04" + "3082"),
                new Case(
                        "CERTREQ",
                        new CertReqPayload(CertReqPayload.X509_SIGNATURE, new byte[20]),
                        "04" + "00".repeat(20)),
                new Case(
                        "TSi IPv4 and IPv6",
                        new TsPayload(
                                true,
                                List.of(
                                        TrafficSelector.fromRange(
                                                new TsRange(ip("10.0.0.0"), ip("10.0.0.255"), 6, 80, 443)),
                                        TrafficSelector.fromRange(new TsRange(
                                                ip("::"),
                                                ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                                                0,
                                                0,
                                                65535)))),
                        "02000000"
                                + "07060010" + "0050" + "01bb" + "0a000000" + "0a0000ff"
                                + "08000028" + "0000" + "ffff" + "00".repeat(16) + "ff".repeat(16)),
                new Case(
                        "TSr IPv4-mapped IPv6",
                        new TsPayload(
                                false,
                                List.of(new TrafficSelector(
                                        8,
                                        0,
                                        0,
                                        65535,
                                        java.net.Inet6Address.getByAddress(
                                                null, HEX.parseHex("00000000000000000000ffffc0000201"), -1),
                                        java.net.Inet6Address.getByAddress(
                                                null, HEX.parseHex("00000000000000000000ffffc0000201"), -1)))),
                        "01000000" + "08000028" + "0000ffff" + "00000000000000000000ffffc0000201".repeat(2)),
                new Case("Delete IKE SA", DeletePayload.ikeSa(), "01000000"),
                new Case("Delete ESP", DeletePayload.esp(0x01020304, 0xa0b0c0d0), "03040002" + "01020304" + "a0b0c0d0"),
                new Case(
                        "Vendor ID",
                        new VendorIdPayload(HEX.parseHex("882fe56d6fd20dbc2251613b2ebe5beb")),
                        "882fe56d6fd20dbc2251613b2ebe5beb"),
                new Case(
                        "CP kept raw", new UnknownPayload(PayloadType.CP, false, HEX.parseHex("01000000")), "01000000"),
                new Case(
                        "unknown type, not critical",
                        new UnknownPayload(PayloadType.valueOf(200), false, HEX.parseHex("99")),
                        "99"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void encodesTheDiagramsBytes(Case c) {
        ByteBuf body = Unpooled.buffer();
        c.payload().encodeBody(body);
        assertEquals(c.body(), ByteBufUtil.hexDump(body));
        assertEquals(c.body().length() / 2, c.payload().bodyLength());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void decodesBackToAnEqualPayload(Case c) {
        IkeMessage message = IkeMessage.of(HEADER, c.payload(), NotifyPayload.of(NotifyType.INITIAL_CONTACT));
        byte[] bytes = encode(message);
        IkeMessage decoded = IkeMessage.decode(Unpooled.wrappedBuffer(bytes)).orElseThrow();
        assertEquals(message.payloads(), decoded.payloads());
        assertEquals(message.payloads().toString(), decoded.payloads().toString());
        assertEquals(message.payloads().hashCode(), decoded.payloads().hashCode());
        assertArrayEquals(bytes, encode(decoded));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void rejectsEveryTruncation(Case c) {
        byte[] bytes = encode(IkeMessage.of(HEADER, c.payload()));
        for (int length = IkeHeader.LENGTH; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            Unpooled.wrappedBuffer(cut).setInt(24, length);
            assertInstanceOf(
                    IkeDecodeResult.Malformed.class,
                    IkeMessage.decode(Unpooled.wrappedBuffer(cut)),
                    "cut to " + length);
        }
    }

    @Test
    void unknownCriticalPayloadIsUnsupportedCritical() {
        byte[] bytes = encode(IkeMessage.of(HEADER, new UnknownPayload(PayloadType.valueOf(200), true, new byte[3])));
        assertEquals(
                new IkeDecodeResult.UnsupportedCritical(PayloadType.valueOf(200)),
                IkeMessage.decode(Unpooled.wrappedBuffer(bytes)));
        bytes[IkeHeader.LENGTH + 1] = 0; // clear the critical bit: now the payload is kept
        assertEquals(
                List.of(new UnknownPayload(PayloadType.valueOf(200), false, new byte[3])),
                IkeMessage.decode(Unpooled.wrappedBuffer(bytes)).orElseThrow().payloads());
    }

    @Test
    void criticalBitOnAKnownPayloadIsIgnored() {
        byte[] bytes = encode(IkeMessage.of(HEADER, NotifyPayload.of(NotifyType.INITIAL_CONTACT)));
        bytes[IkeHeader.LENGTH + 1] = (byte) 0x80;
        assertEquals(
                List.of(NotifyPayload.of(NotifyType.INITIAL_CONTACT)),
                IkeMessage.decode(Unpooled.wrappedBuffer(bytes)).orElseThrow().payloads());
    }

    @Test
    void encryptedPayloadMustBeLast() {
        byte[] bytes = encode(IkeMessage.of(
                HEADER, new EncryptedPayload(PayloadType.NONE, new byte[24]), new VendorIdPayload(new byte[1])));
        // the SK payload's Next Payload names the inner chain, so the vendor ID after it is stray bytes
        assertEquals(
                "SK payload is not the last payload",
                ((IkeDecodeResult.Malformed) IkeMessage.decode(Unpooled.wrappedBuffer(bytes))).reason());
    }

    @Test
    void rejectsPayloadLengthBelowFour() {
        byte[] bytes = HEX.parseHex(hexHeader(41, 32) + "00000003");
        assertInstanceOf(IkeDecodeResult.Malformed.class, IkeMessage.decode(Unpooled.wrappedBuffer(bytes)));
    }

    @Test
    void rejectsOtherMajorVersions() {
        byte[] bytes = encode(IkeMessage.of(HEADER));
        bytes[17] = 0x30;
        assertEquals(
                NotifyType.INVALID_MAJOR_VERSION,
                ((IkeDecodeResult.Malformed) IkeMessage.decode(Unpooled.wrappedBuffer(bytes))).error());
        bytes[17] = 0x10;
        assertEquals(
                NotifyType.INVALID_MAJOR_VERSION,
                ((IkeDecodeResult.Malformed) IkeMessage.decode(Unpooled.wrappedBuffer(bytes))).error());
        bytes[17] = 0x21; // a higher minor version is fine (RFC 7296 §2.5)
        assertTrue(IkeMessage.decode(Unpooled.wrappedBuffer(bytes)).isOk());
    }

    @Test
    void rejectsSyntaxErrorsInsidePayloads() {
        assertMalformed("nonce of 15 bytes", 40, "00".repeat(15));
        assertMalformed("transform marked more but last", 33, "0000000c01010001" + "03000008" + "01000014");
        assertMalformed("proposal marked more but last", 33, "0200000c01010001" + "00000008" + "01000014");
        assertMalformed("empty SA", 33, "");
        assertMalformed("delete count disagrees", 42, "03040002" + "01020304");
        assertMalformed("TS count disagrees", 44, "02000000" + "07000010" + "0000ffff" + "0a000000" + "0a0000ff");
        assertMalformed("TS of unknown type", 44, "01000000" + "09000010" + "0000ffff" + "0a000000" + "0a0000ff");
        assertMalformed("IPv4 TS with IPv6 length", 44, "01000000" + "07000028" + "0000ffff" + "00".repeat(32));
        assertMalformed("notify SPI longer than the payload", 41, "03080009" + "0102");
        assertMalformed("SKF fragment 0", 53, "00000001" + "00".repeat(24));
        assertMalformed("SKF fragment 3 of 2", 53, "00030002" + "00".repeat(24));
    }

    @Test
    void valueTypesKeepUnknownNumbers() {
        assertEquals("NOTIFY", PayloadType.valueOf(41).toString());
        assertEquals("99", PayloadType.valueOf(99).toString());
        assertEquals(PayloadType.valueOf(99), PayloadType.valueOf(99));
        assertTrue(NotifyType.valueOf(40970) == NotifyType.UDP_EPHEMERAL_SOURCE_PORT);
        assertTrue(NotifyType.TS_MAX_QUEUE.isError());
        assertTrue(!NotifyType.SA_RESOURCE_INFO.isError());
        assertEquals(16444, NotifyType.SA_RESOURCE_INFO.value());
        assertEquals(14, AuthMethod.DIGITAL_SIGNATURE.value());
        assertThrows(IllegalArgumentException.class, () -> ExchangeType.valueOf(256));
    }

    @Test
    void idBodyBytesAreWhatAuthSigns() {
        IdPayload id = new IdPayload(true, IdType.FQDN, "gw".getBytes());
        assertArrayEquals(HEX.parseHex("020000006777"), id.bodyBytes());
    }

    private static void assertMalformed(String what, int type, String body) {
        byte[] bytes = HEX.parseHex(hexHeader(type, IkeHeader.LENGTH + 4 + body.length() / 2)
                + String.format("0000%04x", 4 + body.length() / 2)
                + body);
        IkeDecodeResult result = IkeMessage.decode(Unpooled.wrappedBuffer(bytes));
        assertInstanceOf(IkeDecodeResult.Malformed.class, result, what);
    }

    private static String hexHeader(int next, int length) {
        return "0102030405060708" + "0000000000000000" + String.format("%02x2025080000000%s", next, "0")
                + String.format("%08x", length);
    }

    private static byte[] encode(IkeMessage message) {
        ByteBuf buf = message.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
