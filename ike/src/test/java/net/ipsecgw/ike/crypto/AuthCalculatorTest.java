package net.ipsecgw.ike.crypto;

import static net.ipsecgw.ike.crypto.Hex.bytes;
import static net.ipsecgw.ike.crypto.Hex.hex;
import static net.ipsecgw.ike.crypto.Hex.repeat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class AuthCalculatorTest {
    static final byte[] REAL_MESSAGE = repeat(0x11, 80);
    static final byte[] PEER_NONCE = repeat(0x22, 32);
    static final byte[] SK_PI = repeat(0x33, 32);
    /** ID payload body: ID_FQDN (2), three reserved octets, "gw-a.example.net". */
    static final byte[] ID_BODY = bytes("02000000 67772d612e6578616d706c652e6e6574");

    static final byte[] PSK = "correct horse battery staple".getBytes(StandardCharsets.US_ASCII);

    /**
     * The same computation with the OpenSSL command line (h = hex of the inputs above):
     *
     * <pre>
     *   mac() { printf '%s' "$2" | xxd -r -p | openssl mac -digest SHA256 -macopt "hexkey:$1" HMAC; }
     *   maced=$(mac $skpi $idbody)                                  # f068c50a...
     *   pad=$(mac $psk $(printf 'Key Pad for IKEv2' | xxd -p))     # 979c3f18...
     *   mac $pad "$message$nonce$maced"
     * </pre>
     */
    static final String OPENSSL_AUTH = "5d0d4b3e34f05b1849e6c325474b1f8daba9bf8bb37c601b6e027f5820ccf465";

    @Test
    void signedOctetsAreMessageNonceAndMacedId() {
        byte[] octets =
                AuthCalculator.signedOctets(REAL_MESSAGE, PEER_NONCE, PrfAlgorithm.HMAC_SHA2_256, SK_PI, ID_BODY);

        byte[] macedId = bytes("f068c50a799d3ea0a23b1a34df276ac43240bf80d8c39b27c437e9bdcd8861ac");
        assertArrayEquals(Bytes.concat(REAL_MESSAGE, PEER_NONCE, macedId), octets);
    }

    /** RFC 7296 §2.15: AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), &lt;SignedOctets&gt;), by hand. */
    @Test
    void sharedKeyAuthFollowsTheRfcFormula() throws Exception {
        byte[] octets =
                AuthCalculator.signedOctets(REAL_MESSAGE, PEER_NONCE, PrfAlgorithm.HMAC_SHA2_256, SK_PI, ID_BODY);

        byte[] keyPad = "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII);
        assertEquals(17, keyPad.length); // no terminating NUL
        byte[] expected = hmacSha256(hmacSha256(PSK, keyPad), octets);

        assertArrayEquals(expected, AuthCalculator.sharedKeyAuth(PrfAlgorithm.HMAC_SHA2_256, PSK, octets));
        assertEquals(OPENSSL_AUTH, hex(expected));
    }

    @Test
    void sharedKeyAuthHasThePrfOutputLength() {
        for (PrfAlgorithm prf : PrfAlgorithm.values()) {
            assertEquals(prf.outputLength(), AuthCalculator.sharedKeyAuth(prf, PSK, REAL_MESSAGE).length);
        }
    }

    @Test
    void comparesAuthValues() {
        byte[] auth = bytes(OPENSSL_AUTH);
        byte[] tampered = auth.clone();
        tampered[31] ^= 0x01;

        assertTrue(AuthCalculator.authEquals(auth, auth.clone()));
        assertFalse(AuthCalculator.authEquals(auth, tampered));
        assertFalse(AuthCalculator.authEquals(auth, java.util.Arrays.copyOf(auth, 31)));
        assertFalse(AuthCalculator.authEquals(auth, new byte[0]));
    }

    private static byte[] hmacSha256(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
