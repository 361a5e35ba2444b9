package net.ipsecgw.core.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One parsed status file of a running gateway (the format of {@code net.ipsecgw.core.GatewayStatus}):
 * a {@code key=value} map per lane and one {@link Sa} per SA line. Immutable.
 *
 * @param text the status file as read
 * @param lanes lane {@code k}'s numeric counters, by key ({@code esp-in}, {@code drop-unknown_spi}, ...)
 * @param sas the SA lines, in file order
 */
record GatewaySnapshot(String text, List<Map<String, Long>> lanes, List<Sa> sas) {
    GatewaySnapshot {
        lanes = lanes.stream().map(Map::copyOf).toList();
        sas = List.copyOf(sas);
    }

    /**
     * One SA line.
     *
     * @param direction {@code in}, {@code out} or {@code out-fallback}
     * @param tunnel the tunnel's name
     * @param lane the lane whose tables hold the SA
     * @param spi the SPI, unsigned
     * @param packets packets processed
     * @param bytes inner bytes processed
     */
    record Sa(String direction, String tunnel, int lane, long spi, long packets, long bytes) {}

    /** Parses a status file; throws on a line it does not understand, so a format change shows up. */
    static GatewaySnapshot parse(String text) {
        List<Map<String, Long>> lanes = new ArrayList<>();
        List<Sa> sas = new ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> words = words(line);
            if (line.startsWith("lane=")) {
                int index = Integer.parseInt(words.get("lane"));
                if (index != lanes.size()) {
                    throw new IllegalArgumentException("lane " + index + " out of order in: " + text);
                }
                Map<String, Long> counters = new LinkedHashMap<>();
                words.forEach((key, value) -> counters.put(key, Long.parseLong(value)));
                lanes.add(counters);
            } else if (line.startsWith("sa=")) {
                sas.add(new Sa(
                        words.get("sa"),
                        words.get("tunnel"),
                        Integer.parseInt(words.get("lane")),
                        Long.parseLong(words.get("spi").replaceFirst("^0x", ""), 16),
                        Long.parseLong(words.get("packets")),
                        Long.parseLong(words.get("bytes"))));
            } else if (!line.startsWith("child=") && !line.startsWith("generator=")) {
                throw new IllegalArgumentException("unknown status line: " + line);
            }
        }
        return new GatewaySnapshot(text, lanes, sas);
    }

    private static Map<String, String> words(String line) {
        Map<String, String> words = new LinkedHashMap<>();
        for (String word : line.trim().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not key=value: '" + word + "' in: " + line);
            }
            words.put(word.substring(0, eq), word.substring(eq + 1));
        }
        return words;
    }

    /** Lane {@code lane}'s counter {@code key}; 0 when the line omits it (drops are printed when > 0). */
    long lane(int lane, String key) {
        return lanes.get(lane).getOrDefault(key, 0L);
    }

    /** Counter {@code key} summed over all lanes. */
    long total(String key) {
        return lanes.stream().mapToLong(l -> l.getOrDefault(key, 0L)).sum();
    }

    /** The SA lines of one direction. */
    List<Sa> sas(String direction) {
        return sas.stream().filter(sa -> sa.direction().equals(direction)).toList();
    }

    @Override
    public String toString() {
        return text;
    }
}
