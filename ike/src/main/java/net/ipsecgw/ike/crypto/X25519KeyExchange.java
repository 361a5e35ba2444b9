package net.ipsecgw.ike.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.random.RandomGenerator;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748 §5) for IKEv2 (RFC 8031), computed by OpenSSL's libcrypto when it is available and
 * otherwise by the JDK's "XDH" key agreement. The private
 * scalar is 32 octets from the caller's random source (clamped by the function itself, RFC 7748 §5); our
 * public value is {@code X25519(k, 9)}, computed by the same key agreement against the base point.
 *
 * <p>Any 32 octets are a syntactically valid peer value (the top bit is masked, non-canonical values are
 * reduced, RFC 7748 §5); a low-order point makes the result all zeros, which is refused as RFC 7748 §6.1
 * and RFC 8031 §2 require. Not thread-safe.
 */
final class X25519KeyExchange implements KeyExchange {
    static final int LENGTH = 32;

    private static final BigInteger FIELD_PRIME = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final byte[] BASE_POINT = basePoint();

    private byte[] scalar;
    private byte[] publicValue;

    X25519KeyExchange(byte[] scalar) {
        if (scalar.length != LENGTH) {
            throw new IllegalArgumentException("an X25519 scalar is 32 octets, got " + scalar.length);
        }
        this.scalar = scalar.clone();
    }

    static X25519KeyExchange generate(RandomGenerator random) {
        byte[] scalar = new byte[LENGTH];
        random.nextBytes(scalar);
        X25519KeyExchange exchange = new X25519KeyExchange(scalar);
        Bytes.wipe(scalar);
        return exchange;
    }

    @Override
    public KeyExchangeGroup group() {
        return KeyExchangeGroup.CURVE25519;
    }

    @Override
    public byte[] publicValue() {
        if (publicValue == null) {
            try {
                publicValue = x25519(BASE_POINT); // a full scalar multiplication: once per exchange
            } catch (InvalidPublicValueException e) {
                throw new IllegalStateException("X25519 of the base point failed", e);
            }
        }
        return publicValue.clone();
    }

    @Override
    public byte[] sharedSecret(byte[] peerPublic) throws InvalidPublicValueException {
        if (peerPublic.length != LENGTH) {
            throw new InvalidPublicValueException(
                    KeyExchangeGroup.CURVE25519, "public value is " + peerPublic.length + " octets, not 32");
        }
        byte[] secret = x25519(peerPublic);
        if (allZero(secret)) {
            throw new InvalidPublicValueException(
                    KeyExchangeGroup.CURVE25519, "low-order point: the shared secret is all zeros");
        }
        return secret;
    }

    private byte[] x25519(byte[] u) throws InvalidPublicValueException {
        if (scalar == null) {
            throw new IllegalStateException("CURVE25519 key exchange was destroyed");
        }
        if (OpenSslX25519.available()) {
            byte[] result = OpenSslX25519.x25519(scalar, u);
            if (result == null) {
                throw new InvalidPublicValueException(
                        KeyExchangeGroup.CURVE25519, "low-order point (refused by OpenSSL)");
            }
            return result;
        }
        return jdkX25519(u);
    }

    /** The same function by the JDK's XDH, used without OpenSSL (and to cross-check it in tests). */
    byte[] jdkX25519(byte[] u) throws InvalidPublicValueException {
        try {
            KeyFactory factory = KeyFactory.getInstance("XDH");
            PrivateKey ours = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
            PublicKey theirs = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(u)));
            KeyAgreement agreement = KeyAgreement.getInstance("XDH");
            agreement.init(ours);
            agreement.doPhase(theirs, true);
            return agreement.generateSecret();
        } catch (InvalidKeyException | IllegalStateException e) {
            // The JDK refuses a result of all zeros itself, with one of these.
            throw new InvalidPublicValueException(KeyExchangeGroup.CURVE25519, "low-order point: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("XDH is not available from the JDK's providers", e);
        }
    }

    /** RFC 7748 §5 decodeUCoordinate: little-endian, top bit masked, then reduced modulo p. */
    static BigInteger decodeU(byte[] u) {
        byte[] bigEndian = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            bigEndian[i] = u[LENGTH - 1 - i];
        }
        bigEndian[0] &= 0x7f;
        return new BigInteger(1, bigEndian).mod(FIELD_PRIME);
    }

    private static boolean allZero(byte[] bytes) {
        int or = 0;
        for (byte b : bytes) {
            or |= b;
        }
        return or == 0;
    }

    private static byte[] basePoint() {
        byte[] u = new byte[LENGTH];
        u[0] = 9;
        return u;
    }

    @Override
    public void destroy() {
        Bytes.wipe(scalar);
        scalar = null;
    }
}
