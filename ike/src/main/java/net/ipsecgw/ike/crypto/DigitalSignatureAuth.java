package net.ipsecgw.ike.crypto;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * AUTH data of method 14, Digital Signature (RFC 7427 §3):
 *
 * <pre>
 *   +---------------+-----------------------------+-------------------------+
 *   | ASN.1 Length  | AlgorithmIdentifier (DER)   | Signature Value         |
 *   | (1 octet)     | (ASN.1 Length octets)       | (rest of the AUTH data) |
 *   +---------------+-----------------------------+-------------------------+
 * </pre>
 *
 * <p>The signature covers the signed octets of {@link AuthCalculator#signedOctets}. Verification accepts
 * the exact AlgorithmIdentifiers of {@link SignatureScheme} and, for RSASSA-PSS, any DER encoding of the
 * same hash with MGF1 of that hash, whatever its salt length (RFC 7427 leaves the PSS parameters to the
 * signer). Everything else is refused with {@code false}, never with an exception.
 *
 * <p>Stateless and thread-safe: every call takes a fresh {@link Signature}.
 */
public final class DigitalSignatureAuth {
    private static final Map<ASN1ObjectIdentifier, SignatureScheme> PSS_BY_HASH = Map.of(
            NISTObjectIdentifiers.id_sha256, SignatureScheme.RSA_PSS_SHA256,
            NISTObjectIdentifiers.id_sha384, SignatureScheme.RSA_PSS_SHA384,
            NISTObjectIdentifiers.id_sha512, SignatureScheme.RSA_PSS_SHA512);

    private DigitalSignatureAuth() {}

    /**
     * Signs {@code signedOctets} with {@code key} and returns the AUTH data.
     *
     * @throws IllegalArgumentException if {@code key} does not fit {@code scheme} or the provider refuses it
     */
    public static byte[] sign(PrivateKey key, SignatureScheme scheme, byte[] signedOctets) {
        if (!scheme.fitsKey(key)) {
            throw new IllegalArgumentException(scheme + " cannot sign with a " + key.getAlgorithm() + " key");
        }
        try {
            Signature signer = signature(scheme, scheme.jcaParameters());
            signer.initSign(key);
            signer.update(signedOctets);
            byte[] identifier = scheme.algorithmIdentifier();
            return Bytes.concat(new byte[] {(byte) identifier.length}, identifier, signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(scheme + " signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * Verifies AUTH data against {@code signedOctets}.
     *
     * @param key the peer's public key (from its end-entity certificate)
     * @param authData the AUTH payload data after the auth method and reserved octets
     * @param signedOctets the peer's signed octets
     * @param accepted the schemes this connection allows
     * @return true only for a well-formed AUTH data whose AlgorithmIdentifier names an accepted scheme that
     *     fits the key, with a valid signature
     */
    public static boolean verify(PublicKey key, byte[] authData, byte[] signedOctets, Set<SignatureScheme> accepted) {
        if (authData.length < 1 || 1 + (authData[0] & 0xff) > authData.length) {
            return false;
        }
        int identifierEnd = 1 + (authData[0] & 0xff);
        Optional<Decoded> decoded = decode(Arrays.copyOfRange(authData, 1, identifierEnd));
        if (decoded.isEmpty()
                || !accepted.contains(decoded.get().scheme())
                || !decoded.get().scheme().fitsKey(key)) {
            return false;
        }
        try {
            Signature verifier = signature(decoded.get().scheme(), decoded.get().parameters());
            verifier.initVerify(key);
            verifier.update(signedOctets);
            return verifier.verify(Arrays.copyOfRange(authData, identifierEnd, authData.length));
        } catch (GeneralSecurityException | ProviderException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The scheme an AlgorithmIdentifier names and the parameters to verify with, empty if unknown. */
    static Optional<Decoded> decode(byte[] algorithmIdentifier) {
        for (SignatureScheme scheme : SignatureScheme.values()) {
            if (scheme.matchesIdentifier(algorithmIdentifier)) {
                return Optional.of(new Decoded(scheme, scheme.jcaParameters()));
            }
        }
        return decodePss(algorithmIdentifier);
    }

    private static Optional<Decoded> decodePss(byte[] der) {
        try {
            AlgorithmIdentifier identifier = AlgorithmIdentifier.getInstance(der);
            if (!PKCSObjectIdentifiers.id_RSASSA_PSS.equals(identifier.getAlgorithm())) {
                return Optional.empty();
            }
            RSASSAPSSparams params = RSASSAPSSparams.getInstance(identifier.getParameters());
            ASN1ObjectIdentifier hash = params.getHashAlgorithm().getAlgorithm();
            AlgorithmIdentifier mgf = params.getMaskGenAlgorithm();
            SignatureScheme scheme = PSS_BY_HASH.get(hash);
            if (scheme == null
                    || !PKCSObjectIdentifiers.id_mgf1.equals(mgf.getAlgorithm())
                    || !hash.equals(
                            AlgorithmIdentifier.getInstance(mgf.getParameters()).getAlgorithm())
                    || params.getTrailerField().intValueExact() != 1) {
                return Optional.empty();
            }
            String name = ((PSSParameterSpec) scheme.jcaParameters()).getDigestAlgorithm();
            return Optional.of(new Decoded(
                    scheme,
                    new PSSParameterSpec(
                            name,
                            "MGF1",
                            new MGF1ParameterSpec(name),
                            params.getSaltLength().intValueExact(),
                            1)));
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static Signature signature(SignatureScheme scheme, AlgorithmParameterSpec parameters)
            throws GeneralSecurityException {
        Signature signature = Signature.getInstance(scheme.jcaAlgorithm());
        if (parameters != null) {
            signature.setParameter(parameters);
        }
        return signature;
    }

    /** A recognised AlgorithmIdentifier: the scheme and the JCA parameters it carries. */
    record Decoded(SignatureScheme scheme, AlgorithmParameterSpec parameters) {}
}
