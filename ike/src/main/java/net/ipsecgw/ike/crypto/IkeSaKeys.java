package net.ipsecgw.ike.crypto;

import java.util.Arrays;

/**
 * SKEYSEED and the seven keys of an IKE SA (RFC 7296 §2.14), for a new IKE SA or a rekeyed one (§2.18).
 *
 * <pre>
 *   SKEYSEED = prf(Ni | Nr, g^ir)                                  (new IKE SA, §2.14)
 *   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)               (rekeyed IKE SA, §2.18)
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *            = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)
 * </pre>
 *
 * <p>SK_d, SK_pi and SK_pr have the PRF's preferred key length; SK_ai/SK_ar the integrity algorithm's key
 * length (0 with an AEAD cipher, RFC 5282 §7); SK_ei/SK_er the cipher's key length including any salt
 * (e.g. 20 octets for AES-128-GCM, RFC 5282 §7.1). Ni and Nr are the nonce payload data, SPIi and SPIr
 * the 8-octet SPIs of the IKE header in network byte order.
 *
 * <p>The accessors hand out the record's own arrays, which callers must not modify; {@link #destroy()}
 * zeroes them. Belongs to the IKE SA that derived it; not thread-safe.
 *
 * @param skeyseed SKEYSEED
 * @param skD SK_d, the key Child SA keys and the next SKEYSEED are derived from
 * @param skAi SK_ai, integrity of the initiator's messages (empty with AEAD)
 * @param skAr SK_ar, integrity of the responder's messages (empty with AEAD)
 * @param skEi SK_ei, encryption of the initiator's messages (key then salt)
 * @param skEr SK_er, encryption of the responder's messages (key then salt)
 * @param skPi SK_pi, the initiator's AUTH payload computation
 * @param skPr SK_pr, the responder's AUTH payload computation
 */
public record IkeSaKeys(
        byte[] skeyseed, byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr) {

    /**
     * The keys of a new IKE SA (RFC 7296 §2.14).
     *
     * @param prf the negotiated PRF
     * @param integKeyLength octets of SK_ai and SK_ar, 0 for an AEAD cipher
     * @param encrKeyLength octets of SK_ei and SK_er: the cipher key plus its salt
     * @param ni the initiator's nonce
     * @param nr the responder's nonce
     * @param sharedSecret {@code g^ir} from {@link KeyExchange#sharedSecret}
     * @param spiI the initiator's IKE SPI
     * @param spiR the responder's IKE SPI
     */
    public static IkeSaKeys derive(
            PrfAlgorithm prf,
            int integKeyLength,
            int encrKeyLength,
            byte[] ni,
            byte[] nr,
            byte[] sharedSecret,
            long spiI,
            long spiR) {
        // HMAC PRFs take the whole of Ni | Nr as key; §2.14's 64-bit truncation is for fixed-size-key PRFs.
        byte[] skeyseed = prf.prf(Bytes.concat(ni, nr), sharedSecret);
        return expand(prf, integKeyLength, encrKeyLength, skeyseed, ni, nr, spiI, spiR);
    }

    /**
     * The keys of the IKE SA that replaces an old one in a CREATE_CHILD_SA exchange (RFC 7296 §2.18).
     * SKEYSEED is computed with the old IKE SA's PRF, the new keys are expanded with the new SA's PRF.
     *
     * @param oldPrf the PRF of the IKE SA being rekeyed
     * @param oldSkD SK_d of the IKE SA being rekeyed
     * @param newPrf the PRF negotiated for the new IKE SA
     * @param integKeyLength octets of the new SK_ai and SK_ar, 0 for an AEAD cipher
     * @param encrKeyLength octets of the new SK_ei and SK_er: the cipher key plus its salt
     * @param sharedSecret {@code g^ir} of the rekeying exchange
     * @param ni the nonce of the rekeying exchange's initiator
     * @param nr the nonce of the rekeying exchange's responder
     * @param spiI the new IKE SA's initiator SPI (the SPI in the initiator's SA payload)
     * @param spiR the new IKE SA's responder SPI
     */
    public static IkeSaKeys deriveRekey(
            PrfAlgorithm oldPrf,
            byte[] oldSkD,
            PrfAlgorithm newPrf,
            int integKeyLength,
            int encrKeyLength,
            byte[] sharedSecret,
            byte[] ni,
            byte[] nr,
            long spiI,
            long spiR) {
        byte[] skeyseed = oldPrf.prf(oldSkD, sharedSecret, ni, nr);
        return expand(newPrf, integKeyLength, encrKeyLength, skeyseed, ni, nr, spiI, spiR);
    }

    private static IkeSaKeys expand(
            PrfAlgorithm prf,
            int integKeyLength,
            int encrKeyLength,
            byte[] skeyseed,
            byte[] ni,
            byte[] nr,
            long spiI,
            long spiR) {
        if (integKeyLength < 0 || encrKeyLength <= 0) {
            throw new IllegalArgumentException(
                    "key lengths must be positive (integrity may be 0): " + integKeyLength + ", " + encrKeyLength);
        }
        int prfKey = prf.preferredKeyLength();
        byte[] seed = Bytes.concat(ni, nr, Bytes.spi(spiI), Bytes.spi(spiR));
        byte[] keymat = prf.prfPlus(skeyseed, seed, 3 * prfKey + 2 * integKeyLength + 2 * encrKeyLength);
        int[] lengths = {prfKey, integKeyLength, integKeyLength, encrKeyLength, encrKeyLength, prfKey, prfKey};
        byte[][] keys = new byte[lengths.length][];
        int offset = 0;
        for (int i = 0; i < lengths.length; i++) {
            keys[i] = Arrays.copyOfRange(keymat, offset, offset + lengths[i]);
            offset += lengths[i];
        }
        Bytes.wipe(keymat);
        return new IkeSaKeys(skeyseed, keys[0], keys[1], keys[2], keys[3], keys[4], keys[5], keys[6]);
    }

    /** Overwrites every key with zeros. */
    public void destroy() {
        Bytes.wipe(skeyseed, skD, skAi, skAr, skEi, skEr, skPi, skPr);
    }

    /** Key lengths only; the keys are never printed. */
    @Override
    public String toString() {
        return "IkeSaKeys[SK_d=" + skD.length + ", SK_a=" + skAi.length + ", SK_e=" + skEi.length + ", SK_p="
                + skPi.length + " octets, values redacted]";
    }
}
