package net.ipsecgw.ike.crypto;

/**
 * One side of a Diffie-Hellman style key exchange in one group (RFC 7296 §1.2, §2.14): our private value,
 * our public value for the KE payload, and the computation of {@code g^ir} from the peer's public value.
 *
 * <p>Made by {@link KeyExchangeGroup#generate}. Not thread-safe: it belongs to the IKE SA task that runs
 * the exchange, which calls {@link #destroy()} once {@code g^ir} has been used.
 */
public interface KeyExchange {

    /** The group this exchange runs in. */
    KeyExchangeGroup group();

    /**
     * Our public value as the Key Exchange Data of the KE payload (RFC 7296 §3.4): for MODP groups {@code
     * g^x mod p}, big-endian and zero-padded to the length of the prime; for ECP groups {@code x | y} of the
     * point, each padded to the field length (RFC 5903 §7); for Curve25519 the 32-octet u-coordinate (RFC
     * 8031 §2). A new array each call.
     */
    byte[] publicValue();

    /**
     * {@code g^ir} for SKEYSEED: the MODP result padded to the length of the prime (RFC 7296 §2.14), the
     * x-coordinate of the ECP result (RFC 5903 §7), or the 32-octet X25519 result (RFC 8031 §2).
     *
     * @param peerPublic the Key Exchange Data of the peer's KE payload
     * @throws InvalidPublicValueException if {@code peerPublic} is not acceptable in this group
     * @throws IllegalStateException after {@link #destroy()}
     */
    byte[] sharedSecret(byte[] peerPublic) throws InvalidPublicValueException;

    /** Overwrites the private value this object holds; {@link #sharedSecret} fails afterwards. */
    void destroy();
}
