package net.ipsecgw.ike.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the vector files under {@code crypto/}: blocks of {@code key = value} lines, {@code #} comments. */
final class VectorFile {
    private VectorFile() {}

    /** One vector: its fields in file order. */
    record Vector(Map<String, String> fields) {
        String get(String key) {
            String value = fields.get(key);
            if (value == null) {
                throw new IllegalArgumentException(fields.get("name") + " has no field " + key);
            }
            return value;
        }

        boolean has(String key) {
            return fields.containsKey(key);
        }

        byte[] hex(String key) {
            return HexFormat.of().parseHex(get(key));
        }

        long spi(String key) {
            return HexFormat.fromHexDigitsToLong(get(key));
        }

        int integer(String key) {
            return Integer.parseInt(get(key));
        }

        @Override
        public String toString() {
            return fields.get("name");
        }
    }

    static List<Vector> load(String resource) {
        try (InputStream in = VectorFile.class.getResourceAsStream("/crypto/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource crypto/" + resource);
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
                int eq = line.indexOf(" = ");
                current.put(
                        line.substring(0, eq).strip(), line.substring(eq + 3).strip());
            }
        }
        return vectors;
    }
}
