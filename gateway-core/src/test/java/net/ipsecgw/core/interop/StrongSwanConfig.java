package net.ipsecgw.core.interop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Renders a {@link ConnectionSpec} as strongSwan 5.9 configuration: a strongswan.conf for one charon
 * instance and a swanctl.conf with the connection (and its PSK). Rekey times get {@code rand_time =
 * 0} so that short rekey tests rekey when they say. Stateless.
 */
final class StrongSwanConfig {
    private StrongSwanConfig() {}

    static final String PLUGINS = "random nonce x509 constraints pubkey pkcs1 pkcs8 pem openssl curve25519"
            + " gmp aes sha1 sha2 hmac gcm chapoly kdf kernel-libipsec kernel-netlink socket-default vici";

    /** strongswan.conf of the instance in {@code dir}: vici socket, file log, plugins, retransmission. */
    static String strongswanConf(Path dir, StrongSwanPeer.Options options) {
        String saveKeys = options.saveKeys() ? """
                        save-keys {
                            load = yes
                            ike = yes
                            esp = yes
                            wireshark_keys = %s
                        }
                """.formatted(dir.resolve("keys")) : "";
        return """
                # One interop charon, written by StrongSwanPeer. Nothing is read from /etc.
                charon {
                    # kernel-libipsec before kernel-netlink: ESP in user space (ipsec0), netlink only routes.
                    load_modular = no
                    load = %s%s
                    retransmit_timeout = %.3f
                    retransmit_tries = %d
                    plugins {
                        vici {
                            socket = unix://%s
                        }
                        socket-default {
                            use_ipv6 = no
                        }
                %s    }
                    filelog {
                        interop {
                            path = %s
                            time_format = %%H:%%M:%%S
                            ike_name = yes
                            flush_line = yes
                            append = yes
                            default = %d
                        }
                    }
                    syslog {
                        daemon {
                            default = -1
                        }
                    }
                }
                """.formatted(
                        PLUGINS,
                        options.saveKeys() ? " save-keys" : "",
                        options.retransmitTimeout().toMillis() / 1000.0,
                        options.retransmitTries(),
                        dir.resolve("charon.vici"),
                        saveKeys,
                        dir.resolve("charon.log"),
                        options.logLevel());
    }

    /** swanctl.conf with the connection and, for PSK, its secret. Certificates are in x509/, x509ca/, private/. */
    static String swanctlConf(ConnectionSpec s) {
        boolean psk = s.auth() instanceof ConnectionSpec.Psk;
        String auth = psk ? "psk" : "pubkey";
        StringBuilder out = new StringBuilder("# Written by StrongSwanPeer.\nconnections {\n");
        out.append("    ").append(s.name()).append(" {\n");
        line(out, 8, "version", "2");
        line(out, 8, "local_addrs", s.localAddress());
        line(out, 8, "remote_addrs", s.remoteAddress());
        line(out, 8, "proposals", s.ikeProposal());
        line(out, 8, "encap", yesNo(s.encap()));
        line(out, 8, "fragmentation", yesNo(s.fragmentation()));
        line(out, 8, "mobike", yesNo(s.mobike()));
        line(out, 8, "rekey_time", seconds(s.ikeRekeyTime()));
        if (!s.ikeLifeTime().isZero()) {
            line(out, 8, "over_time", seconds(s.ikeLifeTime().minus(s.ikeRekeyTime())));
        }
        line(out, 8, "rand_time", "0s");
        line(out, 8, "dpd_delay", seconds(s.dpdDelay()));
        out.append("        local {\n");
        line(out, 12, "auth", auth);
        line(out, 12, "id", s.localId());
        if (!psk) {
            line(out, 12, "certs", "local.pem");
        }
        out.append("        }\n        remote {\n");
        line(out, 12, "auth", auth);
        line(out, 12, "id", s.remoteId());
        if (!psk) {
            line(out, 12, "cacerts", "ca.pem");
        }
        out.append("        }\n        children {\n");
        out.append("            ").append(s.name()).append(" {\n");
        line(out, 16, "mode", "tunnel");
        line(out, 16, "local_ts", String.join(",", s.localTs()));
        line(out, 16, "remote_ts", String.join(",", s.remoteTs()));
        line(out, 16, "esp_proposals", s.espProposal());
        line(out, 16, "rekey_time", seconds(s.childRekeyTime()));
        if (!s.childLifeTime().isZero()) {
            line(out, 16, "life_time", seconds(s.childLifeTime()));
        }
        line(out, 16, "rand_time", "0s");
        line(out, 16, "start_action", s.startAction().name().toLowerCase(Locale.ROOT));
        line(out, 16, "dpd_action", s.dpdAction().name().toLowerCase(Locale.ROOT));
        out.append("            }\n        }\n    }\n}\n");
        if (s.auth() instanceof ConnectionSpec.Psk(String secret)) {
            out.append("secrets {\n    ike-").append(s.name()).append(" {\n");
            line(out, 8, "id-local", s.localId());
            line(out, 8, "id-remote", s.remoteId());
            line(out, 8, "secret", secret);
            out.append("    }\n}\n");
        }
        return out.toString();
    }

    private static void line(StringBuilder out, int indent, String key, String value) {
        if (value.isEmpty() || value.contains("\n") || value.contains("}") || value.contains("{")) {
            throw new IllegalArgumentException("unusable swanctl.conf value for " + key + ": '" + value + "'");
        }
        out.repeat(' ', indent).append(key).append(" = ").append(value).append('\n');
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + "s";
    }
}
