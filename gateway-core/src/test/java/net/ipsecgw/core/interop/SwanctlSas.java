package net.ipsecgw.core.interop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code swanctl --list-sas --raw} (strongSwan 5.9) into {@link IkeSa} and {@link ChildSa}
 * records. The raw form prints each vici message on one line: {@code list-sa event {<ike-name>
 * {key=value ... child-sas {<child-name>-<id> {key=value ...}}}}}, lists as {@code key=[a b]}.
 *
 * <p>Values are printed unquoted, so one with a space (a DN identity) cannot be told apart from the
 * next key: the tests use address and FQDN identities. Stateless.
 */
public final class SwanctlSas {
    private SwanctlSas() {}

    /**
     * One IKE SA.
     *
     * @param name the connection's name
     * @param uniqueId charon's unique id (a rekeyed IKE SA gets a new one)
     * @param state {@code ESTABLISHED}, {@code CONNECTING}, {@code REKEYING}, {@code DELETING}, ...
     * @param localHost this side's address
     * @param localPort this side's port (4500 once NAT-T or encapsulation is on)
     * @param remoteHost the peer's address
     * @param remotePort the peer's port
     * @param localId this side's identity
     * @param remoteId the peer's identity
     * @param initiator whether this side initiated the IKE SA
     * @param initiatorSpi the initiator's IKE SPI, hex
     * @param responderSpi the responder's IKE SPI, hex
     * @param natRemote whether the peer is (or is taken to be) behind a NAT
     * @param encryption e.g. {@code AES_GCM_16}
     * @param keySize encryption key size in bits (0 when none is printed)
     * @param prf e.g. {@code PRF_HMAC_SHA2_256}
     * @param dhGroup e.g. {@code CURVE_25519}
     * @param children its CHILD_SAs (rekeyed ones linger briefly as {@code DELETED})
     * @param fields every key and value as printed, for what has no component here
     */
    public record IkeSa(
            String name,
            long uniqueId,
            String state,
            String localHost,
            int localPort,
            String remoteHost,
            int remotePort,
            String localId,
            String remoteId,
            boolean initiator,
            String initiatorSpi,
            String responderSpi,
            boolean natRemote,
            String encryption,
            int keySize,
            String prf,
            String dhGroup,
            List<ChildSa> children,
            Map<String, Object> fields) {

        /** The children in state {@code INSTALLED}. */
        public List<ChildSa> installed() {
            return children.stream().filter(c -> c.state().equals("INSTALLED")).toList();
        }
    }

    /**
     * One CHILD_SA (an inbound and outbound ESP SA pair).
     *
     * @param name the child configuration's name
     * @param uniqueId charon's unique id (a rekeyed CHILD_SA gets a new one)
     * @param state {@code INSTALLED}, {@code REKEYING}, {@code REKEYED}, {@code DELETED}, ...
     * @param mode {@code TUNNEL}, ...
     * @param encap whether ESP is UDP-encapsulated
     * @param spiIn inbound SPI
     * @param spiOut outbound SPI
     * @param encryption e.g. {@code AES_GCM_16}
     * @param keySize encryption key size in bits
     * @param bytesIn inbound bytes
     * @param packetsIn inbound packets
     * @param bytesOut outbound bytes
     * @param packetsOut outbound packets
     * @param localTs this side's traffic selectors
     * @param remoteTs the peer's traffic selectors
     * @param fields every key and value as printed
     */
    public record ChildSa(
            String name,
            long uniqueId,
            String state,
            String mode,
            boolean encap,
            long spiIn,
            long spiOut,
            String encryption,
            int keySize,
            long bytesIn,
            long packetsIn,
            long bytesOut,
            long packetsOut,
            List<String> localTs,
            List<String> remoteTs,
            Map<String, Object> fields) {}

    /** Parses every {@code list-sa event} line of {@code raw}; other lines are ignored. */
    public static List<IkeSa> parse(String raw) {
        List<IkeSa> sas = new ArrayList<>();
        for (String line : raw.lines().toList()) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("list-sa event")) {
                continue;
            }
            Map<String, Object> event = new Reader(trimmed.substring("list-sa event".length())).section();
            event.forEach((name, body) -> sas.add(ikeSa(name, asMap(body))));
        }
        return List.copyOf(sas);
    }

    private static IkeSa ikeSa(String name, Map<String, Object> f) {
        List<ChildSa> children = new ArrayList<>();
        asMap(f.getOrDefault("child-sas", Map.of())).forEach((key, body) -> children.add(childSa(asMap(body))));
        return new IkeSa(
                name,
                number(f, "uniqueid"),
                text(f, "state"),
                text(f, "local-host"),
                (int) number(f, "local-port"),
                text(f, "remote-host"),
                (int) number(f, "remote-port"),
                text(f, "local-id"),
                text(f, "remote-id"),
                "yes".equals(f.get("initiator")),
                text(f, "initiator-spi"),
                text(f, "responder-spi"),
                "yes".equals(f.get("nat-remote")),
                text(f, "encr-alg"),
                (int) number(f, "encr-keysize"),
                text(f, "prf-alg"),
                text(f, "dh-group"),
                List.copyOf(children),
                Map.copyOf(f));
    }

    private static ChildSa childSa(Map<String, Object> f) {
        return new ChildSa(
                text(f, "name"),
                number(f, "uniqueid"),
                text(f, "state"),
                text(f, "mode"),
                "yes".equals(f.get("encap")),
                hex(f, "spi-in"),
                hex(f, "spi-out"),
                text(f, "encr-alg"),
                (int) number(f, "encr-keysize"),
                number(f, "bytes-in"),
                number(f, "packets-in"),
                number(f, "bytes-out"),
                number(f, "packets-out"),
                list(f, "local-ts"),
                list(f, "remote-ts"),
                Map.copyOf(f));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException("expected a section, got " + value);
    }

    private static String text(Map<String, Object> f, String key) {
        return f.get(key) instanceof String s ? s : "";
    }

    private static long number(Map<String, Object> f, String key) {
        String s = text(f, key);
        return s.isEmpty() ? 0 : Long.parseLong(s);
    }

    private static long hex(Map<String, Object> f, String key) {
        String s = text(f, key);
        return s.isEmpty() ? 0 : Long.parseLong(s, 16);
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> f, String key) {
        return f.get(key) instanceof List<?> l ? (List<String>) l : List.of();
    }

    /** A cursor over one raw line: sections {@code name {...}}, pairs {@code k=v}, lists {@code k=[a b]}. */
    private static final class Reader {
        private final String s;
        private int i;

        Reader(String s) {
            this.s = s;
        }

        /** Reads {@code { ... }} at the cursor. */
        Map<String, Object> section() {
            skipSpace();
            expect('{');
            Map<String, Object> out = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    i++;
                    return out;
                }
                String key = word();
                skipSpace();
                if (peek() == '{') {
                    out.put(key, section());
                } else if (peek() == '=') {
                    i++;
                    out.put(key, peek() == '[' ? listValue() : word());
                } else {
                    throw new IllegalArgumentException("unexpected '" + peek() + "' at " + i + " in: " + s);
                }
            }
        }

        private List<String> listValue() {
            expect('[');
            int end = s.indexOf(']', i);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated list at " + i + " in: " + s);
            }
            String body = s.substring(i, end).strip();
            i = end + 1;
            return body.isEmpty() ? List.of() : List.of(body.split("\\s+"));
        }

        private String word() {
            int start = i;
            while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "{}=".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            // A value may itself hold '=' (a DN), but never a space or a brace.
            while (i < s.length() && s.charAt(i) == '=' && start != i && isValueContext(start)) {
                i++;
                while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "{}".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
            }
            if (start == i) {
                throw new IllegalArgumentException("expected a word at " + i + " in: " + s);
            }
            return s.substring(start, i);
        }

        /** True when the word starting at {@code start} follows {@code key=}: it is a value. */
        private boolean isValueContext(int start) {
            return start > 0 && s.charAt(start - 1) == '=';
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end of: " + s);
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i + " in: " + s);
            }
            i++;
        }
    }
}
