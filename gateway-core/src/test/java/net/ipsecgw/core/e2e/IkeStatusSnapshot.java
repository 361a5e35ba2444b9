package net.ipsecgw.core.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One parsed status file of a gateway that runs the IKE control plane (the format of {@code
 * net.ipsecgw.core.GatewayStatus}): its {@code ike=} lines, its {@code child=} lines (one per Child
 * SA pair the data path has installed), its {@code lane=} counters and its {@code sa=} lines. Unlike
 * {@link GatewaySnapshot} it understands every line an IKE gateway writes; it throws on a line it does
 * not know, so that a format change shows up. Immutable.
 *
 * @param text the status file as read
 * @param ikeSas the {@code ike=} lines as their {@code key=value} words
 * @param children the {@code child=} lines
 * @param lanes lane {@code k}'s numeric counters, by key
 * @param sas the {@code sa=} lines
 */
record IkeStatusSnapshot(
        String text,
        List<Map<String, String>> ikeSas,
        List<Child> children,
        List<Map<String, Long>> lanes,
        List<Sa> sas) {

    /** The {@code lane} value of a fallback Child SA pair. */
    static final int FALLBACK = -1;

    IkeStatusSnapshot {
        ikeSas = ikeSas.stream().map(Map::copyOf).toList();
        children = List.copyOf(children);
        lanes = lanes.stream().map(Map::copyOf).toList();
        sas = List.copyOf(sas);
    }

    /**
     * One {@code child=} line: a Child SA pair as installed in the data path.
     *
     * @param id the control plane's id of the pair
     * @param tunnel the connection's name
     * @param lane the per-CPU pair's lane, or {@link #FALLBACK}
     * @param inboundSpi our SPI, unsigned
     * @param inboundLane the lane whose SAD holds the inbound SA
     * @param outboundSpi the peer's SPI, unsigned
     * @param sourcePort the UDP source port the outbound SA sends from
     * @param inPackets packets received on the pair
     * @param outPackets packets sent on the pair
     */
    record Child(
            long id,
            String tunnel,
            int lane,
            long inboundSpi,
            int inboundLane,
            long outboundSpi,
            int sourcePort,
            long inPackets,
            long outPackets) {
        boolean perCpu() {
            return lane != FALLBACK;
        }
    }

    /**
     * One {@code sa=} line.
     *
     * @param direction {@code in}, {@code out} or {@code out-fallback}
     * @param tunnel the tunnel's name
     * @param lane the lane whose tables hold the SA
     * @param spi the SPI, unsigned
     * @param packets packets processed on that lane
     */
    record Sa(String direction, String tunnel, int lane, long spi, long packets) {}

    static IkeStatusSnapshot parse(String text) {
        List<Map<String, String>> ikeSas = new ArrayList<>();
        List<Child> children = new ArrayList<>();
        List<Map<String, Long>> lanes = new ArrayList<>();
        List<Sa> sas = new ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> w = words(line);
            if (line.startsWith("ike=")) {
                ikeSas.add(w);
            } else if (line.startsWith("child=")) {
                children.add(new Child(
                        Long.parseLong(w.get("child")),
                        w.get("tunnel"),
                        w.get("lane").equals("fallback") ? FALLBACK : Integer.parseInt(w.get("lane")),
                        hex(w.get("in-spi")),
                        Integer.parseInt(w.get("in-lane")),
                        hex(w.get("out-spi")),
                        Integer.parseInt(w.get("source-port")),
                        Long.parseLong(w.get("in-packets")),
                        Long.parseLong(w.get("out-packets"))));
            } else if (line.startsWith("lane=")) {
                int index = Integer.parseInt(w.get("lane"));
                if (index != lanes.size()) {
                    throw new IllegalArgumentException("lane " + index + " out of order in:\n" + text);
                }
                Map<String, Long> counters = new LinkedHashMap<>();
                w.forEach((key, value) -> counters.put(key, Long.parseLong(value)));
                lanes.add(counters);
            } else if (line.startsWith("sa=")) {
                sas.add(new Sa(
                        w.get("sa"),
                        w.get("tunnel"),
                        Integer.parseInt(w.get("lane")),
                        hex(w.get("spi")),
                        Long.parseLong(w.get("packets"))));
            } else if (!line.startsWith("generator=")) {
                throw new IllegalArgumentException("unknown status line: " + line);
            }
        }
        return new IkeStatusSnapshot(text, ikeSas, children, lanes, sas);
    }

    private static long hex(String value) {
        return Long.parseLong(value.replaceFirst("^0x", ""), 16);
    }

    private static Map<String, String> words(String line) {
        Map<String, String> words = new LinkedHashMap<>();
        for (String word : line.strip().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not key=value: '" + word + "' in: " + line);
            }
            words.put(word.substring(0, eq), word.substring(eq + 1));
        }
        return words;
    }

    /** The one {@code ike=} line; throws when there are none or several. */
    Map<String, String> ike() {
        if (ikeSas.size() != 1) {
            throw new IllegalStateException(ikeSas.size() + " ike= lines, one expected:\n" + text);
        }
        return ikeSas.getFirst();
    }

    /** Whether there is exactly one IKE SA, established, with {@code children} Child SA pairs installed. */
    boolean established(int children) {
        return ikeSas.size() == 1
                && "ESTABLISHED".equals(ikeSas.getFirst().get("state"))
                && String.valueOf(children).equals(ikeSas.getFirst().get("children"))
                && this.children.size() == children;
    }

    /** Lane {@code lane}'s counter {@code key}; 0 when the line omits it. */
    long lane(int lane, String key) {
        return lanes.get(lane).getOrDefault(key, 0L);
    }

    /** The per-CPU Child SA pairs. */
    List<Child> perCpuChildren() {
        return children.stream().filter(Child::perCpu).toList();
    }

    /** The fallback Child SA pairs. */
    List<Child> fallbackChildren() {
        return children.stream().filter(c -> !c.perCpu()).toList();
    }

    /** The {@code sa=} lines of SA {@code spi} in direction {@code direction} (a prefix: {@code out} includes {@code out-fallback}). */
    List<Sa> sas(String direction, long spi) {
        return sas.stream()
                .filter(sa -> sa.direction().startsWith(direction) && sa.spi() == spi)
                .toList();
    }

    @Override
    public String toString() {
        return text;
    }
}
