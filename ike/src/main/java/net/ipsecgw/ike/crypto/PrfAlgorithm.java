package net.ipsecgw.ike.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The IKEv2 pseudo-random functions (Transform Type 2) this gateway implements: HMAC-SHA2 as specified
 * for IKEv2 in RFC 4868 §2.1 and RFC 7296 §2.13, including {@code prf+}.
 *
 * <p>The HMAC PRFs take keys of any length (RFC 2104), so SKEYSEED is keyed with the whole of {@code Ni |
 * Nr} (RFC 7296 §2.14; the 64-bit nonce truncation there only concerns fixed-key-size PRFs such as
 * AES-XCBC, which are not implemented). Their preferred key length, used for SK_d, SK_pi and SK_pr, is
 * their output length (RFC 4868 §2.1.2).
 *
 * <p>Stateless and thread-safe: every call takes a fresh {@link Mac}.
 */
public enum PrfAlgorithm {
    /** PRF_HMAC_SHA2_256, IKEv2 transform ID 5. */
    HMAC_SHA2_256(5, "HmacSHA256", 32),
    /** PRF_HMAC_SHA2_384, IKEv2 transform ID 6. */
    HMAC_SHA2_384(6, "HmacSHA384", 48),
    /** PRF_HMAC_SHA2_512, IKEv2 transform ID 7. */
    HMAC_SHA2_512(7, "HmacSHA512", 64);

    /** {@code prf+} counts its blocks in one octet (RFC 7296 §2.13). */
    public static final int MAX_PRF_PLUS_BLOCKS = 255;

    private final int ikeId;
    private final String jcaName;
    private final int outputLength;

    PrfAlgorithm(int ikeId, String jcaName, int outputLength) {
        this.ikeId = ikeId;
        this.jcaName = jcaName;
        this.outputLength = outputLength;
    }

    /** The IANA "Transform Type 2 - Pseudorandom Function Transform IDs" number. */
    public int ikeId() {
        return ikeId;
    }

    /** The PRF for an IANA transform ID, empty for one this gateway does not implement. */
    public static Optional<PrfAlgorithm> fromIkeId(int ikeId) {
        return Arrays.stream(values()).filter(p -> p.ikeId == ikeId).findFirst();
    }

    /** Octets of one PRF output. */
    public int outputLength() {
        return outputLength;
    }

    /** Octets of SK_d, SK_pi and SK_pr for this PRF (RFC 7296 §2.14, RFC 4868 §2.1.2). */
    public int preferredKeyLength() {
        return outputLength;
    }

    /** {@code prf(key, data[0] | data[1] | ...)}. */
    public byte[] prf(byte[] key, byte[]... data) {
        Mac mac = keyed(key);
        for (byte[] part : data) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /**
     * {@code prf+(key, seed)} truncated to {@code length} octets (RFC 7296 §2.13): {@code T1 = prf(K, S |
     * 0x01)}, {@code Tn = prf(K, Tn-1 | S | n)}.
     *
     * @throws IllegalArgumentException if {@code length} needs more than 255 blocks
     */
    public byte[] prfPlus(byte[] key, byte[] seed, int length) {
        int blocks = Math.ceilDiv(length, outputLength);
        if (length < 0 || blocks > MAX_PRF_PLUS_BLOCKS) {
            throw new IllegalArgumentException("prf+ of " + this + " yields at most "
                    + MAX_PRF_PLUS_BLOCKS * outputLength + " octets, asked for " + length);
        }
        Mac mac = keyed(key);
        byte[] out = new byte[length];
        byte[] previous = new byte[0];
        for (int n = 1; n <= blocks; n++) {
            mac.update(previous);
            mac.update(seed);
            mac.update((byte) n);
            previous = mac.doFinal();
            System.arraycopy(
                    previous, 0, out, (n - 1) * outputLength, Math.min(outputLength, length - (n - 1) * outputLength));
        }
        Bytes.wipe(previous);
        return out;
    }

    private Mac keyed(byte[] key) {
        if (key.length == 0) {
            // The JCA refuses empty HMAC keys; no IKE PRF key (nonces, SK_*, PSK) is ever empty.
            throw new IllegalArgumentException("empty " + this + " key");
        }
        try {
            Mac mac = Mac.getInstance(jcaName);
            mac.init(new SecretKeySpec(key, jcaName));
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(jcaName + " is not available from the JDK's providers", e);
        }
    }
}
