package net.ipsecgw.ike.crypto;

import static net.ipsecgw.ike.crypto.Hex.bytes;
import static net.ipsecgw.ike.crypto.Hex.repeat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.ipsecgw.testing.VectorFile;
import net.ipsecgw.testing.VectorFile.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SKEYSEED, the SK_* split, Child SA KEYMAT with and without PFS, and the rekeyed SKEYSEED against the
 * vectors of {@code crypto/ikev2-kdf.txt} (NIST SP 800-135 IKEv2 KDF component tests; sources in the file).
 */
class IkeKeyDerivationTest {

    static List<Vector> vectors() {
        return VectorFile.load("crypto/ikev2-kdf.txt");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void skeyseedIsPrfOfTheNoncesOverTheSharedSecret(Vector v) {
        IkeSaKeys keys = derive(v);
        assertArrayEquals(v.hex("skeyseed"), keys.skeyseed());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void prfPlusOfSkeyseedGivesTheDerivedKeyingMaterial(Vector v) {
        PrfAlgorithm prf = prf(v);
        byte[] seed = Bytes.concat(v.hex("ni"), v.hex("nr"), v.hex("spii"), v.hex("spir"));
        assertArrayEquals(v.hex("dkm"), prf.prfPlus(v.hex("skeyseed"), seed, v.hex("dkm").length));
    }

    /** SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr, in that order, is the start of the DKM. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void splitsTheKeyingMaterialInRfc7296Order(Vector v) {
        IkeSaKeys keys = derive(v);
        byte[] all =
                Bytes.concat(keys.skD(), keys.skAi(), keys.skAr(), keys.skEi(), keys.skEr(), keys.skPi(), keys.skPr());
        byte[] dkm = v.hex("dkm");
        int compared = Math.min(all.length, dkm.length);

        assertArrayEquals(Arrays.copyOf(dkm, compared), Arrays.copyOf(all, compared));
        assertEquals(prf(v).preferredKeyLength(), keys.skD().length);
        assertEquals(v.integer("integ"), keys.skAr().length);
        assertEquals(v.integer("encr"), keys.skEr().length);
        assertEquals(prf(v).preferredKeyLength(), keys.skPr().length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void childKeymatWithoutPfsIsPrfPlusOfSkdOverTheNonces(Vector v) {
        byte[] expected = v.hex("dkm_child");
        ChildSaKeys keys = ChildSaKeys.derive(prf(v), skD(v), null, v.hex("ni"), v.hex("nr"), expected.length / 2);

        assertArrayEquals(expected, Bytes.concat(keys.initiatorToResponder(), keys.responderToInitiator()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void childKeymatWithPfsPutsTheNewSharedSecretFirst(Vector v) {
        byte[] expected = v.hex("dkm_child_dh");
        ChildSaKeys keys =
                ChildSaKeys.derive(prf(v), skD(v), v.hex("gir_new"), v.hex("ni"), v.hex("nr"), expected.length / 2);

        assertArrayEquals(Arrays.copyOf(expected, expected.length / 2), keys.initiatorToResponder());
        assertArrayEquals(
                Arrays.copyOfRange(expected, expected.length / 2, expected.length), keys.responderToInitiator());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void rekeyedSkeyseedIsPrfOfTheOldSkdOverTheNewSharedSecretAndNonces(Vector v) {
        IkeSaKeys rekeyed =
                IkeSaKeys.deriveRekey(prf(v), skD(v), prf(v), 32, 16, v.hex("gir_new"), v.hex("ni"), v.hex("nr"), 1, 2);

        assertArrayEquals(v.hex("skeyseed_rekey"), rekeyed.skeyseed());
    }

    /** RFC 7296 §2.18: SKEYSEED with the old SA's PRF; prf+ and the key sizes with the new SA's. */
    @Test
    void rekeyUsesTheOldPrfForSkeyseedAndTheNewPrfForTheKeys() {
        PrfAlgorithm oldPrf = PrfAlgorithm.HMAC_SHA2_256;
        PrfAlgorithm newPrf = PrfAlgorithm.HMAC_SHA2_512;
        byte[] oldSkD = repeat(0x5d, 32);
        byte[] gir = repeat(0x77, 32);
        byte[] ni = repeat(0x01, 32);
        byte[] nr = repeat(0x02, 32);

        IkeSaKeys keys = IkeSaKeys.deriveRekey(oldPrf, oldSkD, newPrf, 0, 36, gir, ni, nr, 0x1122334455667788L, -2L);

        byte[] skeyseed = oldPrf.prf(oldSkD, Bytes.concat(gir, ni, nr));
        byte[] seed = Bytes.concat(ni, nr, bytes("1122334455667788"), bytes("fffffffffffffffe"));
        byte[] keymat = newPrf.prfPlus(skeyseed, seed, 3 * 64 + 2 * 36);
        assertArrayEquals(skeyseed, keys.skeyseed());
        assertArrayEquals(Arrays.copyOfRange(keymat, 0, 64), keys.skD());
        assertEquals(0, keys.skAi().length);
        assertArrayEquals(Arrays.copyOfRange(keymat, 64, 100), keys.skEi());
        assertArrayEquals(Arrays.copyOfRange(keymat, 100, 136), keys.skEr());
        assertArrayEquals(Arrays.copyOfRange(keymat, 200, 264), keys.skPr());
    }

    @Test
    void neverPrintsKeys() {
        Vector v = vectors().getFirst();
        IkeSaKeys ike = derive(v);
        ChildSaKeys child = ChildSaKeys.derive(prf(v), ike.skD(), null, v.hex("ni"), v.hex("nr"), 20);
        String hexD = HexFormat.of().formatHex(ike.skD()).substring(0, 8);

        assertFalse(ike.toString().contains(hexD), ike.toString());
        assertTrue(ike.toString().contains("redacted"));
        assertFalse(child.toString().contains(HexFormat.of().formatHex(child.initiatorToResponder())));
        assertTrue(child.toString().contains("redacted"));
    }

    @Test
    void destroyZeroesEveryKey() {
        Vector v = vectors().getFirst();
        IkeSaKeys ike = derive(v);
        ike.destroy();
        for (byte[] key : List.of(ike.skeyseed(), ike.skD(), ike.skAi(), ike.skEi(), ike.skPr())) {
            assertArrayEquals(new byte[key.length], key);
        }
    }

    private static IkeSaKeys derive(Vector v) {
        return IkeSaKeys.derive(
                prf(v),
                v.integer("integ"),
                v.integer("encr"),
                v.hex("ni"),
                v.hex("nr"),
                v.hex("gir"),
                v.hexLong("spii"),
                v.hexLong("spir"));
    }

    private static byte[] skD(Vector v) {
        return Arrays.copyOf(v.hex("dkm"), prf(v).preferredKeyLength());
    }

    private static PrfAlgorithm prf(Vector v) {
        return PrfAlgorithm.valueOf(v.get("prf"));
    }
}
