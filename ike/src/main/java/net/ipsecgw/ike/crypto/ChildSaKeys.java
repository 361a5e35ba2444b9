package net.ipsecgw.ike.crypto;

import java.util.Arrays;

/**
 * Keying material of a Child SA pair (RFC 7296 §2.17):
 *
 * <pre>
 *   KEYMAT = prf+(SK_d, Ni | Nr)                  (no PFS)
 *   KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)     (CREATE_CHILD_SA with a KE payload)
 * </pre>
 *
 * <p>The keys for the SA carrying traffic from the initiator to the responder are taken first, then those
 * for the other direction. Each direction's material is laid out as the data path expects it: the
 * encryption key (with its salt, for a combined-mode cipher), then the integrity key if the ESP transform
 * has a separate one. Ni and Nr are the nonces of the exchange that created the Child SA.
 *
 * <p>The accessors hand out the record's own arrays; {@link #destroy()} zeroes them. Belongs to the task
 * that derived it; not thread-safe.
 *
 * @param initiatorToResponder keying material of the SA from the exchange's initiator to its responder
 * @param responderToInitiator keying material of the SA from the exchange's responder to its initiator
 */
public record ChildSaKeys(byte[] initiatorToResponder, byte[] responderToInitiator) {

    /**
     * Derives both directions' keys.
     *
     * @param prf the IKE SA's PRF
     * @param skD the IKE SA's SK_d
     * @param sharedSecretOrNull {@code g^ir} of the CREATE_CHILD_SA exchange for PFS, or null
     * @param ni the nonce of the exchange's initiator
     * @param nr the nonce of the exchange's responder
     * @param keyLength octets per direction: encryption key plus salt, plus integrity key if any
     */
    public static ChildSaKeys derive(
            PrfAlgorithm prf, byte[] skD, byte[] sharedSecretOrNull, byte[] ni, byte[] nr, int keyLength) {
        if (keyLength <= 0) {
            throw new IllegalArgumentException("Child SA key length must be positive, got " + keyLength);
        }
        byte[] seed = sharedSecretOrNull == null ? Bytes.concat(ni, nr) : Bytes.concat(sharedSecretOrNull, ni, nr);
        byte[] keymat = prf.prfPlus(skD, seed, 2 * keyLength);
        ChildSaKeys keys = new ChildSaKeys(
                Arrays.copyOfRange(keymat, 0, keyLength), Arrays.copyOfRange(keymat, keyLength, 2 * keyLength));
        Bytes.wipe(keymat, seed);
        return keys;
    }

    /** Overwrites both directions' keys with zeros. */
    public void destroy() {
        Bytes.wipe(initiatorToResponder, responderToInitiator);
    }

    /** Key lengths only; the keys are never printed. */
    @Override
    public String toString() {
        return "ChildSaKeys[" + initiatorToResponder.length + " octets per direction, values redacted]";
    }
}
