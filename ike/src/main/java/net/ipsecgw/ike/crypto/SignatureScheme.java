package net.ipsecgw.ike.crypto;

import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The signature algorithms this gateway signs and verifies with AUTH method 14, Digital Signature (RFC
 * 7427 §3), each with the DER AlgorithmIdentifier that names it in the AUTH data and the hash algorithm
 * it announces in the SIGNATURE_HASH_ALGORITHMS notify (RFC 7427 §4; IANA "IKEv2 Hash Algorithms").
 *
 * <p>The AlgorithmIdentifiers are those of RFC 7427 Appendix A: ecdsa-with-SHA256/384/512 without
 * parameters (A.3), RSASSA-PSS with hash, MGF1 with the same hash and a salt as long as the hash, NULL
 * parameters on the hash identifiers (A.4.3 for SHA-256; SHA-384 and SHA-512 are built the same way per
 * RFC 4055 §3.1, as strongSwan sends them), and id-Ed25519 without parameters (RFC 8420 §2). ECDSA
 * signature values are the DER ECDSA-Sig-Value of the PKIX algorithm the identifier names (RFC 7427 §3
 * defers to it), not RFC 4754's {@code r | s}.
 *
 * <p>Immutable and thread-safe.
 */
public enum SignatureScheme {
    /** ecdsa-with-SHA256, for P-256 keys. */
    ECDSA_SHA256(SignatureScheme.HASH_SHA2_256, "300a06082a8648ce3d040302", "SHA256withECDSA", null),
    /** ecdsa-with-SHA384, for P-384 keys. */
    ECDSA_SHA384(SignatureScheme.HASH_SHA2_384, "300a06082a8648ce3d040303", "SHA384withECDSA", null),
    /** ecdsa-with-SHA512, for P-521 keys or any ECDSA key when the peer asks for SHA-512. */
    ECDSA_SHA512(SignatureScheme.HASH_SHA2_512, "300a06082a8648ce3d040304", "SHA512withECDSA", null),
    /** RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-octet salt. */
    RSA_PSS_SHA256(SignatureScheme.HASH_SHA2_256, pssIdentifier("01", "20"), "RSASSA-PSS", pss("SHA-256", 32)),
    /** RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-octet salt. */
    RSA_PSS_SHA384(SignatureScheme.HASH_SHA2_384, pssIdentifier("02", "30"), "RSASSA-PSS", pss("SHA-384", 48)),
    /** RSASSA-PSS with SHA-512, MGF1-SHA-512, 64-octet salt. */
    RSA_PSS_SHA512(SignatureScheme.HASH_SHA2_512, pssIdentifier("03", "40"), "RSASSA-PSS", pss("SHA-512", 64)),
    /** Pure Ed25519 over the signed octets (RFC 8420), announced as the Identity hash. */
    ED25519(SignatureScheme.HASH_IDENTITY, "300506032b6570", "Ed25519", null);

    /** IKEv2 Hash Algorithm SHA2_256 (RFC 7427 §7). */
    public static final int HASH_SHA2_256 = 2;
    /** IKEv2 Hash Algorithm SHA2_384 (RFC 7427 §7). */
    public static final int HASH_SHA2_384 = 3;
    /** IKEv2 Hash Algorithm SHA2_512 (RFC 7427 §7). */
    public static final int HASH_SHA2_512 = 4;
    /** IKEv2 Hash Algorithm Identity, for signature algorithms that hash internally (RFC 8420 §2). */
    public static final int HASH_IDENTITY = 5;

    private final int hashAlgorithmId;
    private final byte[] algorithmIdentifier;
    private final String jcaAlgorithm;
    private final PSSParameterSpec pssParameters;

    SignatureScheme(int hashAlgorithmId, String algorithmIdentifierHex, String jcaAlgorithm, PSSParameterSpec pss) {
        this.hashAlgorithmId = hashAlgorithmId;
        this.algorithmIdentifier = HexFormat.of().parseHex(algorithmIdentifierHex);
        this.jcaAlgorithm = jcaAlgorithm;
        this.pssParameters = pss;
    }

    /** The hash algorithm number this scheme needs in the peer's SIGNATURE_HASH_ALGORITHMS notify. */
    public int hashAlgorithmId() {
        return hashAlgorithmId;
    }

    /** The DER AlgorithmIdentifier that precedes the signature value in the AUTH data. A copy. */
    public byte[] algorithmIdentifier() {
        return algorithmIdentifier.clone();
    }

    /** The hash algorithms to announce in our own SIGNATURE_HASH_ALGORITHMS notify: 2, 3, 4 and 5. */
    public static Set<Integer> supportedHashAlgorithms() {
        return Set.of(HASH_SHA2_256, HASH_SHA2_384, HASH_SHA2_512, HASH_IDENTITY);
    }

    /**
     * The scheme to sign with {@code key} given the hash algorithms the peer announced: the hash that
     * matches the key's strength if the peer takes it, else the next one it takes. With an empty set (no
     * notify received) the key's preferred scheme is returned; whether to use method 14 then is the
     * caller's decision (RFC 7427 §4).
     *
     * @throws IllegalArgumentException for a key of another type, or when the peer takes none of the
     *     hashes this key can sign with
     */
    public static SignatureScheme forKey(java.security.PrivateKey key, Set<Integer> peerHashAlgorithms) {
        List<SignatureScheme> preferred = preferencesFor(key);
        if (peerHashAlgorithms.isEmpty()) {
            return preferred.getFirst();
        }
        return preferred.stream()
                .filter(s -> peerHashAlgorithms.contains(s.hashAlgorithmId))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the peer's hash algorithms " + peerHashAlgorithms
                        + " allow none of " + preferred + " for a " + key.getAlgorithm() + " key"));
    }

    /** True if {@code key} is of the type this scheme signs with (EC, RSA, Ed25519). */
    public boolean fitsKey(Key key) {
        return switch (this) {
            case ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512 -> key instanceof ECKey;
            case RSA_PSS_SHA256, RSA_PSS_SHA384, RSA_PSS_SHA512 -> key instanceof RSAKey;
            case ED25519 -> isEd25519(key);
        };
    }

    String jcaAlgorithm() {
        return jcaAlgorithm;
    }

    /** The PSS parameters for signing, null for the other schemes. */
    AlgorithmParameterSpec jcaParameters() {
        return pssParameters;
    }

    boolean matchesIdentifier(byte[] der) {
        return java.util.Arrays.equals(algorithmIdentifier, der);
    }

    private static List<SignatureScheme> preferencesFor(Key key) {
        if (key instanceof ECKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits <= 256) {
                return List.of(ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512);
            }
            return bits <= 384
                    ? List.of(ECDSA_SHA384, ECDSA_SHA512, ECDSA_SHA256)
                    : List.of(ECDSA_SHA512, ECDSA_SHA384, ECDSA_SHA256);
        }
        if (key instanceof RSAKey) {
            return List.of(RSA_PSS_SHA256, RSA_PSS_SHA384, RSA_PSS_SHA512);
        }
        if (isEd25519(key)) {
            return List.of(ED25519);
        }
        throw new IllegalArgumentException("no RFC 7427 signature scheme for a " + key.getAlgorithm() + " key");
    }

    private static boolean isEd25519(Key key) {
        if (key instanceof EdECKey ed) {
            return "Ed25519".equalsIgnoreCase(ed.getParams().getName());
        }
        return "Ed25519".equalsIgnoreCase(key.getAlgorithm());
    }

    private static PSSParameterSpec pss(String hash, int saltLength) {
        return new PSSParameterSpec(
                hash, "MGF1", new MGF1ParameterSpec(hash), saltLength, PSSParameterSpec.TRAILER_FIELD_BC);
    }

    /** RSASSA-PSS AlgorithmIdentifier for SHA-2 hash number {@code hash} (sha256 = 01) and a salt of {@code salt}. */
    private static String pssIdentifier(String hash, String salt) {
        String hashId = "300d06096086480165030402" + hash + "0500";
        return "3041" + "06092a864886f70d01010a" + "3034"
                + "a00f" + hashId
                + "a11c" + "301a" + "06092a864886f70d010108" + hashId
                + "a203" + "0201" + salt;
    }
}
