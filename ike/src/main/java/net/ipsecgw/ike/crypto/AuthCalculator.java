package net.ipsecgw.ike.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The octets an AUTH payload covers and the shared-key AUTH value (RFC 7296 §2.15):
 *
 * <pre>
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
 *   ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
 *   AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), &lt;SignedOctets&gt;)
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class AuthCalculator {
    /** The 17 ASCII octets of the key pad, without a terminating NUL (RFC 7296 §2.15). */
    private static final byte[] KEY_PAD = "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII);

    private AuthCalculator() {}

    /**
     * The signed octets of one side.
     *
     * @param realMessage that side's first message (IKE_SA_INIT) exactly as sent, from the IKE header on
     * @param peerNonce the other side's nonce data
     * @param prf the negotiated PRF
     * @param skP SK_pi for the initiator's octets, SK_pr for the responder's
     * @param idPayloadBody that side's ID payload after its generic header: ID type, 3 reserved octets, data
     */
    public static byte[] signedOctets(
            byte[] realMessage, byte[] peerNonce, PrfAlgorithm prf, byte[] skP, byte[] idPayloadBody) {
        return Bytes.concat(realMessage, peerNonce, prf.prf(skP, idPayloadBody));
    }

    /** The AUTH data for method 2 (Shared Key Message Integrity Code). */
    public static byte[] sharedKeyAuth(PrfAlgorithm prf, byte[] psk, byte[] signedOctets) {
        byte[] padded = prf.prf(psk, KEY_PAD);
        byte[] auth = prf.prf(padded, signedOctets);
        Bytes.wipe(padded);
        return auth;
    }

    /**
     * Compares a received AUTH value with the expected one in time that does not depend on where they
     * first differ; false if the lengths differ.
     */
    public static boolean authEquals(byte[] expected, byte[] received) {
        return MessageDigest.isEqual(expected, received);
    }
}
