package net.ipsecgw.ike.crypto;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.util.random.RandomGenerator;
import javax.crypto.KeyAgreement;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * ECDH in the random ECP groups of RFC 5903 (NIST P-256 and P-384), computed by the JDK's "ECDH" key
 * agreement. The KE payload carries {@code x | y} without the SEC1 point-format octet (RFC 5903 §7), and
 * {@code g^ir} is the x-coordinate of the shared point (RFC 5903 §7 as corrected by its errata, the form
 * every implementation uses).
 *
 * <p>The private scalar comes from the caller's random source by FIPS 186-5 A.2.1; the JDK has no public
 * API to multiply a given scalar by the base point, so the public point is computed with Bouncy Castle's
 * fixed-point comb multiplier. The peer's point must have both coordinates below the prime and satisfy
 * the curve equation (RFC 6989 §2.3; both curves have cofactor 1). Not thread-safe.
 */
final class EcpKeyExchange implements KeyExchange {
    private final KeyExchangeGroup group;
    private final ECParameterSpec curve;
    private final X9ECParameters bcCurve;
    private final int coordinateLength;
    private byte[] scalar;
    private byte[] publicValue;

    EcpKeyExchange(KeyExchangeGroup group, byte[] scalar) {
        this.group = group;
        String name = group == KeyExchangeGroup.ECP_256 ? "secp256r1" : "secp384r1";
        this.curve = jdkCurve(name);
        this.bcCurve = CustomNamedCurves.getByName(name);
        this.coordinateLength = group.publicValueLength() / 2;
        BigInteger d = new BigInteger(1, scalar);
        if (d.signum() == 0 || d.compareTo(curve.getOrder()) >= 0) {
            throw new IllegalArgumentException(group + " private scalar is not in [1, n-1]");
        }
        this.scalar = scalar.clone();
    }

    static EcpKeyExchange generate(KeyExchangeGroup group, RandomGenerator random) {
        byte[] extra = new byte[group.publicValueLength() / 2 + 8];
        random.nextBytes(extra);
        BigInteger order = jdkCurve(group == KeyExchangeGroup.ECP_256 ? "secp256r1" : "secp384r1")
                .getOrder();
        BigInteger d =
                new BigInteger(1, extra).mod(order.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        Bytes.wipe(extra);
        return new EcpKeyExchange(group, Bytes.unsignedFixed(d, group.publicValueLength() / 2));
    }

    @Override
    public KeyExchangeGroup group() {
        return group;
    }

    @Override
    public byte[] publicValue() {
        if (publicValue == null) {
            publicValue = computePublicValue(); // a full scalar multiplication: once per exchange
        }
        return publicValue.clone();
    }

    private byte[] computePublicValue() {
        var point = new FixedPointCombMultiplier()
                .multiply(bcCurve.getG(), privateScalar())
                .normalize();
        return Bytes.concat(
                Bytes.unsignedFixed(point.getAffineXCoord().toBigInteger(), coordinateLength),
                Bytes.unsignedFixed(point.getAffineYCoord().toBigInteger(), coordinateLength));
    }

    @Override
    public byte[] sharedSecret(byte[] peerPublic) throws InvalidPublicValueException {
        ECPoint peer = validated(peerPublic);
        try {
            KeyFactory factory = KeyFactory.getInstance("EC");
            PrivateKey ours = factory.generatePrivate(new ECPrivateKeySpec(privateScalar(), curve));
            PublicKey theirs = factory.generatePublic(new ECPublicKeySpec(peer, curve));
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(ours);
            agreement.doPhase(theirs, true);
            return agreement.generateSecret();
        } catch (java.security.InvalidKeyException | java.security.spec.InvalidKeySpecException e) {
            throw new InvalidPublicValueException(group, "point refused by the ECDH provider: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDH is not available from the JDK's providers", e);
        }
    }

    private ECPoint validated(byte[] peerPublic) throws InvalidPublicValueException {
        if (peerPublic.length != 2 * coordinateLength) {
            throw new InvalidPublicValueException(
                    group, "public value is " + peerPublic.length + " octets, x | y is " + 2 * coordinateLength);
        }
        BigInteger x = new BigInteger(1, java.util.Arrays.copyOfRange(peerPublic, 0, coordinateLength));
        BigInteger y = new BigInteger(1, java.util.Arrays.copyOfRange(peerPublic, coordinateLength, peerPublic.length));
        if (!onCurve(x, y)) {
            throw new InvalidPublicValueException(group, "public value is not a point on the curve");
        }
        return new ECPoint(x, y);
    }

    /** {@code 0 <= x, y < p} and {@code y^2 = x^3 + ax + b (mod p)}; the point at infinity has no x | y form. */
    private boolean onCurve(BigInteger x, BigInteger y) {
        EllipticCurve c = curve.getCurve();
        BigInteger p = ((ECFieldFp) c.getField()).getP();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger right = x.pow(3).add(c.getA().multiply(x)).add(c.getB()).mod(p);
        return y.modPow(BigInteger.TWO, p).equals(right);
    }

    private BigInteger privateScalar() {
        if (scalar == null) {
            throw new IllegalStateException(group + " key exchange was destroyed");
        }
        return new BigInteger(1, scalar);
    }

    @Override
    public void destroy() {
        Bytes.wipe(scalar);
        scalar = null;
    }

    private static ECParameterSpec jdkCurve(String name) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(name));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(name + " is not available from the JDK's providers", e);
        }
    }
}
