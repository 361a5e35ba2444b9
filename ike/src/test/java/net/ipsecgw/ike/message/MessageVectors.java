package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The captured strongSwan messages under {@code message/} (see the README there): blocks of
 * {@code key = value} lines, one block per datagram.
 */
final class MessageVectors {
    static final String PSK = "strongswan-psk.txt";
    static final String FRAGMENTS = "strongswan-fragments.txt";

    private MessageVectors() {}

    /** One captured datagram, with the key that opens it if it is encrypted. */
    record Vector(String file, Map<String, String> fields) {
        String name() {
            return fields.get("name");
        }

        byte[] bytes() {
            return HexFormat.of().parseHex(fields.get("hex"));
        }

        ByteBuf buf() {
            return Unpooled.wrappedBuffer(bytes());
        }

        boolean encrypted() {
            return fields.containsKey("sk_e");
        }

        SkCipher cipher() {
            return SkCipher.create(
                    Integer.parseInt(fields.get("encr")), HexFormat.of().parseHex(fields.get("sk_e")));
        }

        IkeMessage decoded() {
            return IkeMessage.decode(buf()).orElseThrow();
        }

        @Override
        public String toString() {
            return file.replace(".txt", "") + " " + name();
        }
    }

    static List<Vector> load(String file) {
        try (InputStream in = MessageVectors.class.getResourceAsStream("/message/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource message/" + file);
            }
            return parse(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Vector> all() {
        return Stream.concat(load(PSK).stream(), load(FRAGMENTS).stream());
    }

    static Vector named(String file, String prefix) {
        return load(file).stream()
                .filter(v -> v.name().startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no vector " + prefix + " in " + file));
    }

    private static List<Vector> parse(String file, String text) {
        List<Vector> vectors = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        for (String line : (text + "\n\n").split("\n")) {
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    vectors.add(new Vector(file, current));
                    current = new LinkedHashMap<>();
                }
            } else if (!line.startsWith("#")) {
                int eq = line.indexOf('=');
                current.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return vectors;
    }
}
