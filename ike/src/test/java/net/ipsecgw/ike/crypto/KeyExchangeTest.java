package net.ipsecgw.ike.crypto;

import static net.ipsecgw.ike.crypto.Hex.bytes;
import static net.ipsecgw.ike.crypto.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyExchangeTest {

    // RFC 5903 §8.1, 256-bit random ECP group: i, g^i = (x, y), r, g^r, g^ir x.
    static final String ECP256_I = "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433";
    static final String ECP256_GI = "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180"
            + "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3";
    static final String ECP256_R = "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53";
    static final String ECP256_GR = "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63"
            + "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB";
    static final String ECP256_GIR = "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE";

    // RFC 5903 §8.2, 384-bit random ECP group.
    static final String ECP384_I = "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655"
            + "E35B5380 41E649EE 3FAEF896 783AB194";
    static final String ECP384_GI = "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6"
            + "DE3AC808 ACB4BDB4 C88732AE E95F41AA 9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD"
            + "A0241815 35A0F38E EB9FCFF3 C2C947DA E69B4C63 4573A81C";
    static final String ECP384_R = "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942"
            + "E0308312 916B8ED2 960E4BD5 5A7448FC";
    static final String ECP384_GR = "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D"
            + "0D1AC43A 0336DEF9 6FDA41D0 774A3571 DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416"
            + "DD5F0C68 759DD1FF F83FA401 42209DFF 5EAAD96D B9E6386C";
    static final String ECP384_GIR = "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4"
            + "D6031355 69B9E9D0 9CF5D4A2 70F59746";

    static Stream<Arguments> rfc5903() {
        return Stream.of(
                Arguments.of(KeyExchangeGroup.ECP_256, ECP256_I, ECP256_GI, ECP256_R, ECP256_GR, ECP256_GIR),
                Arguments.of(KeyExchangeGroup.ECP_384, ECP384_I, ECP384_GI, ECP384_R, ECP384_GR, ECP384_GIR));
    }

    /** RFC 5903 §8: the KE payload data is x | y, and g^ir is the x-coordinate of the shared point. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rfc5903")
    void computesRfc5903Vectors(KeyExchangeGroup group, String i, String gi, String r, String gr, String gir)
            throws Exception {
        KeyExchange initiator = group.withPrivateValue(bytes(i));
        KeyExchange responder = group.withPrivateValue(bytes(r));

        assertArrayEquals(bytes(gi), initiator.publicValue());
        assertArrayEquals(bytes(gr), responder.publicValue());
        assertArrayEquals(bytes(gir), initiator.sharedSecret(bytes(gr)));
        assertArrayEquals(bytes(gir), responder.sharedSecret(bytes(gi)));
    }

    /** RFC 7748 §6.1: Alice and Bob. */
    @Test
    void computesRfc7748DiffieHellmanVector() throws Exception {
        KeyExchange alice = KeyExchangeGroup.CURVE25519.withPrivateValue(
                bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        KeyExchange bob = KeyExchangeGroup.CURVE25519.withPrivateValue(
                bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));

        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", hex(alice.publicValue()));
        assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", hex(bob.publicValue()));
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertEquals(shared, hex(alice.sharedSecret(bob.publicValue())));
        assertEquals(shared, hex(bob.sharedSecret(alice.publicValue())));
    }

    /** RFC 7748 §5.2: the two single-call X25519 vectors (input u with its top bit set in the second). */
    @ParameterizedTest
    @MethodSource("rfc7748Section52")
    void computesRfc7748FunctionVectors(String scalar, String u, String output) throws Exception {
        KeyExchange exchange = KeyExchangeGroup.CURVE25519.withPrivateValue(bytes(scalar));
        assertEquals(output, hex(exchange.sharedSecret(bytes(u))));
    }

    static Stream<Arguments> rfc7748Section52() {
        return Stream.of(
                Arguments.of(
                        "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
                        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
                Arguments.of(
                        "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                        "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
                        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"));
    }

    /** RFC 8031 Appendix A: the IKEv2 Curve25519 example exchange. */
    @Test
    void computesRfc8031Vector() throws Exception {
        KeyExchange initiator = KeyExchangeGroup.CURVE25519.withPrivateValue(
                bytes("751fb4308655b476b6789b7325f9ea8cddd16a58533ff6d9e60009464a5f9d94"));
        KeyExchange responder = KeyExchangeGroup.CURVE25519.withPrivateValue(
                bytes("0a5464525329 0d60ddadd0e030bacd9e5501efdc220755a1e978f1b839a05688"));

        assertEquals("48d5ddd4061257ba166fa3f9bbdb74f1a4e81c089384fa77f790709f0dfbc766", hex(initiator.publicValue()));
        assertEquals("0be7c1f5aad87d7e448662673298a443478b859745179eaf564c79c0ef6eee25", hex(responder.publicValue()));
        assertEquals(
                "c74950607a12327f3204d94b6825bfb068b7f8319a9e3708ed3d43ce8130c950",
                hex(initiator.sharedSecret(responder.publicValue())));
    }

    /** RFC 3526 §3 and §4 define the primes by formula; check the hex constants against it. */
    @Test
    void modpPrimesAreTheRfc3526Formula() {
        assertEquals(rfc3526Prime(2048, 1918, 124476), ModpKeyExchange.PRIME_2048);
        assertEquals(rfc3526Prime(3072, 2942, 1690314), ModpKeyExchange.PRIME_3072);
        assertEquals(2048, ModpKeyExchange.PRIME_2048.bitLength());
        assertEquals(3072, ModpKeyExchange.PRIME_3072.bitLength());
    }

    @ParameterizedTest
    @EnumSource(KeyExchangeGroup.class)
    void bothSidesAgree(KeyExchangeGroup group) throws Exception {
        SecureRandom random = new SecureRandom();
        KeyExchange initiator = group.generate(random);
        KeyExchange responder = group.generate(random);

        assertEquals(group.publicValueLength(), initiator.publicValue().length);
        byte[] gir = initiator.sharedSecret(responder.publicValue());
        assertArrayEquals(gir, responder.sharedSecret(initiator.publicValue()));
        int sharedLength =
                switch (group) {
                    case MODP_2048, MODP_3072, CURVE25519 -> group.publicValueLength();
                    case ECP_256, ECP_384 -> group.publicValueLength() / 2; // the x-coordinate only
                };
        assertEquals(sharedLength, gir.length);
    }

    @ParameterizedTest
    @EnumSource(KeyExchangeGroup.class)
    void sameSeedGivesTheSameKeyPair(KeyExchangeGroup group) {
        byte[] first = group.generate(new SplittableRandom(7296)).publicValue();
        byte[] again = group.generate(new SplittableRandom(7296)).publicValue();
        byte[] other = group.generate(new SplittableRandom(7297)).publicValue();

        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(first, other));
    }

    /** The MODP exponent is the first 64 octets the source yields, so a seeded exchange is reproducible. */
    @Test
    void modpExponentIsTakenFromTheRandomSource() {
        byte[] exponent = new byte[64];
        new SplittableRandom(1).nextBytes(exponent);
        BigInteger expected = BigInteger.TWO.modPow(new BigInteger(1, exponent), ModpKeyExchange.PRIME_2048);

        byte[] publicValue =
                KeyExchangeGroup.MODP_2048.generate(new SplittableRandom(1)).publicValue();
        assertEquals(expected, new BigInteger(1, publicValue));
    }

    @ParameterizedTest
    @EnumSource(KeyExchangeGroup.class)
    void rejectsAPublicValueOfTheWrongLength(KeyExchangeGroup group) {
        KeyExchange ours = group.generate(new SplittableRandom(1));
        byte[] theirs = group.generate(new SplittableRandom(2)).publicValue();

        assertRejected(ours, Arrays.copyOf(theirs, theirs.length - 1));
        assertRejected(ours, Arrays.copyOf(theirs, theirs.length + 1));
        assertRejected(ours, new byte[0]);
    }

    /** RFC 7296 §3.4 / RFC 6989 §2.1: 1 < y < p-1. */
    @ParameterizedTest
    @EnumSource(
            value = KeyExchangeGroup.class,
            names = {"MODP_2048", "MODP_3072"})
    void rejectsTrivialModpValues(KeyExchangeGroup group) {
        BigInteger p = group == KeyExchangeGroup.MODP_2048 ? ModpKeyExchange.PRIME_2048 : ModpKeyExchange.PRIME_3072;
        KeyExchange ours = group.generate(new SplittableRandom(3));
        for (BigInteger y : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, p.subtract(BigInteger.ONE), p}) {
            assertRejected(ours, Bytes.unsignedFixed(y, group.publicValueLength()));
        }
        assertRejected(ours, Hex.repeat(0xff, group.publicValueLength()));
    }

    /** RFC 6989 §2.3: a point off the curve, or with a coordinate of p or more, is refused. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rfc5903")
    void rejectsPointsNotOnTheCurve(KeyExchangeGroup group, String i, String gi) {
        KeyExchange ours = group.generate(new SplittableRandom(4));
        byte[] offCurve = bytes(gi);
        offCurve[offCurve.length - 1] ^= 1;

        assertRejected(ours, offCurve);
        assertRejected(ours, new byte[group.publicValueLength()]);
        assertRejected(ours, Hex.repeat(0xff, group.publicValueLength()));
    }

    /**
     * RFC 7748 §6.1 / RFC 8031 §2: inputs of small order (0, 1, the order-8 points, p-1, p, p+1) make the
     * result all zeros and must be refused.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "0000000000000000000000000000000000000000000000000000000000000000",
                "0100000000000000000000000000000000000000000000000000000000000000",
                "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
                "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
                "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
            })
    void rejectsLowOrderX25519Points(String point) {
        KeyExchange ours = KeyExchangeGroup.CURVE25519.generate(new SplittableRandom(5));
        InvalidPublicValueException e =
                assertThrows(InvalidPublicValueException.class, () -> ours.sharedSecret(bytes(point)));
        assertEquals(KeyExchangeGroup.CURVE25519, e.group());
    }

    @ParameterizedTest
    @EnumSource(KeyExchangeGroup.class)
    void refusesToComputeAfterDestroy(KeyExchangeGroup group) {
        KeyExchange ours = group.generate(new SplittableRandom(6));
        byte[] theirs = group.generate(new SplittableRandom(7)).publicValue();
        ours.destroy();

        assertThrows(IllegalStateException.class, () -> ours.sharedSecret(theirs));
    }

    /** IANA "Transform Type 4 - Key Exchange Method Transform IDs". */
    @Test
    void mapsIanaTransformIds() {
        assertEquals(Optional.of(KeyExchangeGroup.MODP_2048), KeyExchangeGroup.fromIkeId(14));
        assertEquals(Optional.of(KeyExchangeGroup.MODP_3072), KeyExchangeGroup.fromIkeId(15));
        assertEquals(Optional.of(KeyExchangeGroup.ECP_256), KeyExchangeGroup.fromIkeId(19));
        assertEquals(Optional.of(KeyExchangeGroup.ECP_384), KeyExchangeGroup.fromIkeId(20));
        assertEquals(Optional.of(KeyExchangeGroup.CURVE25519), KeyExchangeGroup.fromIkeId(31));
        assertEquals(Optional.empty(), KeyExchangeGroup.fromIkeId(2)); // 1024-bit MODP: not implemented
        assertEquals(Optional.empty(), KeyExchangeGroup.fromIkeId(0));
    }

    private static void assertRejected(KeyExchange exchange, byte[] peerPublic) {
        assertThrows(InvalidPublicValueException.class, () -> exchange.sharedSecret(peerPublic), hex(peerPublic));
    }

    /** 2^bits - 2^(bits-64) - 1 + 2^64 * ( floor(2^piBits * pi) + offset ). */
    private static BigInteger rfc3526Prime(int bits, int piBits, int offset) {
        BigInteger pi = piTimesTwoTo(piBits);
        return BigInteger.TWO
                .pow(bits)
                .subtract(BigInteger.TWO.pow(bits - 64))
                .subtract(BigInteger.ONE)
                .add(BigInteger.TWO.pow(64).multiply(pi.add(BigInteger.valueOf(offset))));
    }

    /** floor(2^bits * pi) by Machin's formula, pi = 16 atan(1/5) - 4 atan(1/239), with 64 guard bits. */
    private static BigInteger piTimesTwoTo(int bits) {
        BigInteger one = BigInteger.ONE.shiftLeft(bits + 64);
        BigInteger pi = arctanOfInverse(5, one)
                .multiply(BigInteger.valueOf(16))
                .subtract(arctanOfInverse(239, one).multiply(BigInteger.valueOf(4)));
        return pi.shiftRight(64);
    }

    private static BigInteger arctanOfInverse(int x, BigInteger one) {
        BigInteger xSquared = BigInteger.valueOf((long) x * x);
        BigInteger power = one.divide(BigInteger.valueOf(x));
        BigInteger sum = power;
        for (int k = 1; power.signum() != 0; k++) {
            power = power.divide(xSquared);
            BigInteger term = power.divide(BigInteger.valueOf(2L * k + 1));
            sum = k % 2 == 1 ? sum.subtract(term) : sum.add(term);
        }
        return sum;
    }
}
