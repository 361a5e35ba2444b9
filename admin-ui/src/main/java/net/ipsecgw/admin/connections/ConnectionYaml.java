package net.ipsecgw.admin.connections;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.ipsecgw.ike.config.ConnectionConfig;

/**
 * A {@link ConnectionConfig} as the keys and values of the configuration file (kebab-case keys,
 * durations with units), for saving it and for showing it in the console. Secrets appear only when
 * asked for (when saving); the console is told whether one is set, never what it is.
 */
final class ConnectionYaml {
    private ConnectionYaml() {}

    /** Every key of {@code c}; the PSK as {@code 0x} hex only when {@code withSecrets}. */
    static Map<String, Object> toMap(ConnectionConfig c, boolean withSecrets) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", c.name());
        map.put("remote-address", c.remoteAddress());
        map.put("remote-port", c.remotePort());
        putIfSet(map, "local-id", c.localId());
        map.put("remote-id", c.remoteId());
        map.put("auth", c.auth().name().toLowerCase(Locale.ROOT));
        if (c.psk() != null) {
            map.put(
                    withSecrets ? "psk" : "psk-set",
                    withSecrets ? "0x" + HexFormat.of().formatHex(c.psk().bytes()) : true);
        }
        putIfSet(map, "certificate", c.certificate());
        putIfSet(map, "private-key", c.privateKey());
        putList(map, "ca-certificates", c.caCertificates());
        putList(map, "ike-proposals", c.ikeProposals());
        putList(map, "esp-proposals", c.espProposals());
        putList(map, "local-ts", c.localTs());
        putList(map, "remote-ts", c.remoteTs());
        map.put("ike-rekey-time", duration(c.ikeRekeyTime()));
        map.put("child-rekey-time", duration(c.childRekeyTime()));
        map.put("child-life-time", duration(c.childLifeTime()));
        map.put("child-rekey-bytes", c.childRekeyBytes());
        map.put("child-rekey-packets", c.childRekeyPackets());
        map.put("dpd-delay", duration(c.dpdDelay()));
        map.put("dpd-action", c.dpdAction().name().toLowerCase(Locale.ROOT));
        map.put("per-cpu-sas", c.perCpuSas());
        if (c.perCpuMax() != null) {
            map.put("per-cpu-max", c.perCpuMax());
        }
        map.put("multiport", c.multiport());
        map.put("start-action", c.startAction().name().toLowerCase(Locale.ROOT));
        map.put("replay-window", c.replayWindow());
        return map;
    }

    /** The whole file: {@code gateway.connections} with every connection and its secrets. */
    static Map<String, Object> file(List<ConnectionConfig> connections) {
        List<Map<String, Object>> list = new ArrayList<>();
        connections.forEach(c -> list.add(toMap(c, true)));
        return Map.of("gateway", Map.of("connections", list));
    }

    /** {@code 1h}, {@code 90s}, {@code 250ms}: the shortest exact form with a unit. */
    static String duration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.toMillis() % 1000 != 0 || d.toNanos() % 1_000_000 != 0) {
            return d.toMillis() + "ms";
        }
        long seconds = d.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private static void putIfSet(Map<String, Object> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }

    private static void putList(Map<String, Object> map, String key, List<String> values) {
        if (!values.isEmpty()) {
            map.put(key, List.copyOf(values));
        }
    }
}
