package net.ipsecgw.ike.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.ipsecgw.esp.EspCipherSuite;

/**
 * Proposals as an operator writes them, in swanctl.conf's syntax: algorithm keywords joined by
 * {@code -}, e.g. {@code aes128gcm16-prfsha256-x25519} for IKE or {@code aes256gcm16-ecp384-esn} for ESP
 * (a key exchange group in an ESP proposal asks for PFS when Child SAs are created or rekeyed). Only
 * what this gateway implements is accepted: AEAD encryption, HMAC-SHA2 PRFs and the groups below.
 * Values are IANA IKEv2 transform identifiers (RFC 7296 §3.3.2).
 */
public final class Proposals {
    /** ENCR_AES_GCM_16 (RFC 5282). */
    public static final int ENCR_AES_GCM_16 = 20;
    /** ENCR_CHACHA20_POLY1305 (RFC 7634). */
    public static final int ENCR_CHACHA20_POLY1305 = 28;

    private static final Map<String, Encryption> ENCRYPTION = new LinkedHashMap<>();
    private static final Map<String, Integer> PRFS = new LinkedHashMap<>();
    private static final Map<String, Integer> GROUPS = new LinkedHashMap<>();

    static {
        ENCRYPTION.put("aes128gcm16", new Encryption(ENCR_AES_GCM_16, 128));
        ENCRYPTION.put("aes128gcm", new Encryption(ENCR_AES_GCM_16, 128));
        ENCRYPTION.put("aes256gcm16", new Encryption(ENCR_AES_GCM_16, 256));
        ENCRYPTION.put("aes256gcm", new Encryption(ENCR_AES_GCM_16, 256));
        ENCRYPTION.put("chacha20poly1305", new Encryption(ENCR_CHACHA20_POLY1305, 0));
        PRFS.put("prfsha256", 5);
        PRFS.put("prfsha384", 6);
        PRFS.put("prfsha512", 7);
        GROUPS.put("modp2048", 14);
        GROUPS.put("modp3072", 15);
        GROUPS.put("ecp256", 19);
        GROUPS.put("ecp384", 20);
        GROUPS.put("x25519", 31);
        GROUPS.put("curve25519", 31);
    }

    private Proposals() {}

    /**
     * An AEAD encryption transform.
     *
     * @param id the IKEv2 transform type 1 identifier
     * @param keyLength the key length attribute in bits, or 0 when the transform has none (ChaCha20)
     */
    public record Encryption(int id, int keyLength) {
        /** The ESP suite this transform is, for Child SAs. */
        public EspCipherSuite espSuite() {
            if (id == ENCR_CHACHA20_POLY1305) {
                return EspCipherSuite.CHACHA20_POLY1305;
            }
            return keyLength == 256 ? EspCipherSuite.AES_256_GCM_16 : EspCipherSuite.AES_128_GCM_16;
        }

        /** Bytes of keying material one direction takes: the key and a 4-byte salt (RFC 5282, RFC 7634). */
        public int keyMaterialLength() {
            return espSuite().keyMaterialLength();
        }
    }

    /**
     * An IKE SA proposal: any of its encryption transforms, with any of its PRFs and groups.
     *
     * @param encryption AEAD transforms, in order of preference
     * @param prfs PRF transform identifiers
     * @param groups key exchange method identifiers
     */
    public record Ike(List<Encryption> encryption, List<Integer> prfs, List<Integer> groups) {
        /** Copies the lists. */
        public Ike {
            encryption = List.copyOf(encryption);
            prfs = List.copyOf(prfs);
            groups = List.copyOf(groups);
        }
    }

    /**
     * A Child SA (ESP) proposal.
     *
     * @param encryption AEAD transforms, in order of preference
     * @param groups key exchange methods for PFS (empty: no PFS)
     * @param esn the ESN values offered: {@code true} for extended sequence numbers
     */
    public record Esp(List<Encryption> encryption, List<Integer> groups, List<Boolean> esn) {
        /** Copies the lists. */
        public Esp {
            encryption = List.copyOf(encryption);
            groups = List.copyOf(groups);
            esn = List.copyOf(esn);
        }
    }

    /**
     * Parses an IKE proposal; it needs an encryption transform, a PRF and a group.
     *
     * @throws ConfigValueException (key {@code ike-proposals}) naming the keyword that is not supported
     */
    public static Ike parseIke(String text) {
        List<Encryption> encryption = new ArrayList<>();
        List<Integer> prfs = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        for (String keyword : keywords(text)) {
            if (!addTo(keyword, encryption, prfs, groups)) {
                throw unknown("ike-proposals", text, keyword, "an IKE");
            }
        }
        require("ike-proposals", text, !encryption.isEmpty(), "an encryption algorithm (e.g. aes128gcm16)");
        require("ike-proposals", text, !prfs.isEmpty(), "a PRF (e.g. prfsha256)");
        require("ike-proposals", text, !groups.isEmpty(), "a key exchange group (e.g. x25519)");
        return new Ike(encryption, prfs, groups);
    }

    /**
     * Parses an ESP proposal; it needs an encryption transform. Without {@code esn}/{@code noesn} both
     * are offered, ESN first.
     *
     * @throws ConfigValueException (key {@code esp-proposals}) naming the keyword that is not supported
     */
    public static Esp parseEsp(String text) {
        List<Encryption> encryption = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        List<Boolean> esn = new ArrayList<>();
        for (String keyword : keywords(text)) {
            if (keyword.equals("esn") || keyword.equals("noesn")) {
                esn.add(keyword.equals("esn"));
            } else if (PRFS.containsKey(keyword) || !addTo(keyword, encryption, new ArrayList<>(), groups)) {
                throw unknown("esp-proposals", text, keyword, "an ESP");
            }
        }
        require("esp-proposals", text, !encryption.isEmpty(), "an encryption algorithm (e.g. aes128gcm16)");
        return new Esp(encryption, groups, esn.isEmpty() ? List.of(true, false) : esn);
    }

    private static boolean addTo(
            String keyword, List<Encryption> encryption, List<Integer> prfs, List<Integer> groups) {
        if (ENCRYPTION.containsKey(keyword)) {
            return encryption.add(ENCRYPTION.get(keyword));
        }
        if (PRFS.containsKey(keyword)) {
            return prfs.add(PRFS.get(keyword));
        }
        if (GROUPS.containsKey(keyword)) {
            return groups.add(GROUPS.get(keyword));
        }
        return false;
    }

    private static List<String> keywords(String text) {
        return List.of(text.strip().toLowerCase(Locale.ROOT).split("-"));
    }

    private static void require(String key, String text, boolean present, String what) {
        if (!present) {
            throw new ConfigValueException(key, "'" + text + "' has no " + what);
        }
    }

    private static ConfigValueException unknown(String key, String text, String keyword, String kind) {
        List<String> supported = new ArrayList<>(ENCRYPTION.keySet());
        if (kind.equals("an IKE")) {
            supported.addAll(PRFS.keySet());
        } else {
            supported.addAll(List.of("esn", "noesn"));
        }
        supported.addAll(GROUPS.keySet());
        return new ConfigValueException(
                key,
                "'" + text + "': '" + keyword + "' is not " + kind + " algorithm this gateway supports ("
                        + String.join(", ", supported) + ")");
    }
}
