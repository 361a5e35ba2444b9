package net.ipsecgw.ike.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.random.RandomGenerator;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.DHPrivateKeySpec;
import javax.crypto.spec.DHPublicKeySpec;

/**
 * Diffie-Hellman in the MODP groups of RFC 3526 with generator 2, computed by the JDK's "DH" key
 * agreement. The private exponent is 512 bits drawn from the caller's random source, more than twice the
 * security strength of either group (112 and 128 bits, NIST SP 800-56A Rev. 3 §5.6.1.1.1).
 *
 * <p>The peer's value must be exactly as long as the prime and satisfy {@code 1 < y < p-1} (RFC 7296 §3.4,
 * RFC 6989 §2.1); the groups are safe-prime groups, so no subgroup test is needed. Not thread-safe.
 */
final class ModpKeyExchange implements KeyExchange {
    /** Octets of the private exponent. */
    static final int EXPONENT_LENGTH = 64;

    private static final BigInteger GENERATOR = BigInteger.TWO;

    /** RFC 3526 §3, 2048-bit MODP Group: 2^2048 - 2^1984 - 1 + 2^64 * { [2^1918 pi] + 124476 }. */
    static final BigInteger PRIME_2048 = new BigInteger(
            ""
                    + "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
                    + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
                    + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
                    + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
                    + "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
                    + "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
                    + "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
                    + "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF",
            16);

    /** RFC 3526 §4, 3072-bit MODP Group: 2^3072 - 2^3008 - 1 + 2^64 * { [2^2942 pi] + 1690314 }. */
    static final BigInteger PRIME_3072 = new BigInteger(
            ""
                    + "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
                    + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
                    + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
                    + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
                    + "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
                    + "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
                    + "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
                    + "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
                    + "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
                    + "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
                    + "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
                    + "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
            16);

    private final KeyExchangeGroup group;
    private final BigInteger prime;
    private final int length;
    private byte[] exponent;
    private byte[] publicValue;

    ModpKeyExchange(KeyExchangeGroup group, byte[] exponent) {
        this.group = group;
        this.prime = group == KeyExchangeGroup.MODP_2048 ? PRIME_2048 : PRIME_3072;
        this.length = group.publicValueLength();
        this.exponent = exponent.clone();
    }

    static ModpKeyExchange generate(KeyExchangeGroup group, RandomGenerator random) {
        byte[] exponent = new byte[EXPONENT_LENGTH];
        do {
            random.nextBytes(exponent);
        } while (new BigInteger(1, exponent).compareTo(BigInteger.TWO) < 0);
        ModpKeyExchange exchange = new ModpKeyExchange(group, exponent);
        Bytes.wipe(exponent);
        return exchange;
    }

    @Override
    public KeyExchangeGroup group() {
        return group;
    }

    @Override
    public byte[] publicValue() {
        if (publicValue == null) {
            publicValue = Bytes.unsignedFixed(GENERATOR.modPow(privateExponent(), prime), length); // once
        }
        return publicValue.clone();
    }

    @Override
    public byte[] sharedSecret(byte[] peerPublic) throws InvalidPublicValueException {
        BigInteger y = validated(peerPublic);
        try {
            KeyFactory factory = KeyFactory.getInstance("DH");
            PrivateKey ours = factory.generatePrivate(new DHPrivateKeySpec(privateExponent(), prime, GENERATOR));
            PublicKey theirs = factory.generatePublic(new DHPublicKeySpec(y, prime, GENERATOR));
            KeyAgreement agreement = KeyAgreement.getInstance("DH");
            agreement.init(ours);
            agreement.doPhase(theirs, true);
            return Bytes.unsignedFixed(new BigInteger(1, agreement.generateSecret()), length);
        } catch (java.security.InvalidKeyException e) {
            throw new InvalidPublicValueException(group, "public value refused by the DH provider: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DH is not available from the JDK's providers", e);
        }
    }

    private BigInteger validated(byte[] peerPublic) throws InvalidPublicValueException {
        if (peerPublic.length != length) {
            throw new InvalidPublicValueException(
                    group, "public value is " + peerPublic.length + " octets, the prime " + length);
        }
        BigInteger y = new BigInteger(1, peerPublic);
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(prime.subtract(BigInteger.ONE)) >= 0) {
            throw new InvalidPublicValueException(group, "public value is not in 1 < y < p-1");
        }
        return y;
    }

    private BigInteger privateExponent() {
        if (exponent == null) {
            throw new IllegalStateException(group + " key exchange was destroyed");
        }
        return new BigInteger(1, exponent);
    }

    @Override
    public void destroy() {
        Bytes.wipe(exponent);
        exponent = null;
    }
}
