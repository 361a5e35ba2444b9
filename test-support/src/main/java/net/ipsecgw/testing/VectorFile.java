package net.ipsecgw.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads test vector files from the test class path: blocks of {@code key = value} lines separated by
 * blank lines, {@code #} comment lines. A line splits at its first {@code =}; key and value are
 * stripped of surrounding white space, and a value may be empty. A vector's {@code name} field names it
 * in test reports.
 */
public final class VectorFile {
    private VectorFile() {}

    /** One vector: its fields in file order. */
    public record Vector(Map<String, String> fields) {
        /** The field {@code key}; throws if the vector has none. */
        public String get(String key) {
            String value = fields.get(key);
            if (value == null) {
                throw new IllegalArgumentException(fields.get("name") + " has no field " + key);
            }
            return value;
        }

        /** True if the vector has a field {@code key}. */
        public boolean has(String key) {
            return fields.containsKey(key);
        }

        /** The field {@code key} as hex bytes. */
        public byte[] hex(String key) {
            return HexFormat.of().parseHex(get(key));
        }

        /** The field {@code key} as a hex number of at most 16 digits, such as an SPI. */
        public long hexLong(String key) {
            return HexFormat.fromHexDigitsToLong(get(key));
        }

        /** The field {@code key} as a decimal integer. */
        public int integer(String key) {
            return Integer.parseInt(get(key));
        }

        /** The vector's {@code name} field. */
        @Override
        public String toString() {
            return fields.get("name");
        }
    }

    /**
     * The vectors of the class path resource {@code resource}, a path from the class path's root such
     * as {@code vectors/aead.txt}; throws if there is no such resource.
     */
    public static List<Vector> load(String resource) {
        try (InputStream in = VectorFile.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Vector> parse(String text) {
        List<Vector> vectors = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        for (String line : (text + "\n\n").split("\n")) {
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    vectors.add(new Vector(current));
                    current = new LinkedHashMap<>();
                }
            } else if (!line.startsWith("#")) {
                int eq = line.indexOf('=');
                current.put(
                        line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return vectors;
    }
}
