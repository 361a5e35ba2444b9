package net.ipsecgw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import net.ipsecgw.core.config.GatewayConfigLoader.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that every kind of invalid value stops loading with a {@link ConfigurationException} whose
 * message names the file, the key (as written in the file, e.g. {@code gateway.tunnels[0].remote-address})
 * and the reason, and that neither the message nor any cause in its chain repeats a key or the port
 * key. Each case starts from the valid example (docs/examples/gateway.yml) and changes one thing.
 */
class GatewayConfigValidationTest {
    @TempDir
    Path dir;

    /** Replaces {@code from}, which must occur exactly once in the example, with {@code to}. */
    private static UnaryOperator<String> replace(String from, String to) {
        return yaml -> {
            int at = yaml.indexOf(from);
            if (at < 0 || yaml.indexOf(from, at + 1) >= 0) {
                throw new IllegalStateException("the example must contain exactly one '" + from + "'");
            }
            return yaml.substring(0, at) + to + yaml.substring(at + from.length());
        };
    }

    /** Removes {@code text}, which must occur exactly once. */
    private static UnaryOperator<String> remove(String text) {
        return replace(text, "");
    }

    /** Removes everything from {@code from} to the end of the file. */
    private static UnaryOperator<String> truncateAt(String from) {
        return yaml -> {
            replace(from, "").apply(yaml);
            return yaml.substring(0, yaml.indexOf(from));
        };
    }

    /** An edit that leaves no file at all. */
    private static final UnaryOperator<String> NO_FILE = yaml -> null;

    private static Arguments row(String description, UnaryOperator<String> edit, String key, String reason) {
        return Arguments.of(description, edit, key, reason);
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                // lanes
                row(
                        "a CPU listed twice",
                        replace("cpus: [0, 1]", "cpus: [1, 1]"),
                        "gateway.lanes.cpus",
                        "must be distinct and not negative, got [1, 1]"),
                row(
                        "a negative CPU",
                        replace("cpus: [0, 1]", "cpus: [0, -1]"),
                        "gateway.lanes.cpus",
                        "must be distinct and not negative"),
                row(
                        "unknown transport",
                        replace("transport: epoll", "transport: dpdk"),
                        "gateway.lanes.transport",
                        "'dpdk' is not one of EPOLL, IO_URING"),
                // black
                row(
                        "black address not an IP address",
                        replace("address: 192.0.2.1", "address: 192.0.2.300"),
                        "gateway.black.address",
                        "'192.0.2.300' is not an IP address"),
                row(
                        "black address a host name",
                        replace("address: 192.0.2.1", "address: gateway.example"),
                        "gateway.black.address",
                        "'gateway.example' is not an IP address"),
                row("port 0", replace("port: 4500", "port: 0"), "gateway.black.port", "must be 1-65535, got 0"),
                row(
                        "port 70000",
                        replace("port: 4500", "port: 70000"),
                        "gateway.black.port",
                        "must be 1-65535, got 70000"),
                row(
                        "port not a number",
                        replace("port: 4500", "port: ipsec"),
                        "gateway.black.port",
                        "'ipsec' is not a whole number"),
                row(
                        "source port range upside down",
                        replace("source-ports: 50000-59999", "source-ports: 59999-50000"),
                        "gateway.black.source-ports",
                        "port range must satisfy 1 <= first <= last <= 65535, got 59999-50000"),
                row(
                        "source port range beyond 65535",
                        replace("source-ports: 50000-59999", "source-ports: 50000-70000"),
                        "gateway.black.source-ports",
                        "port range must satisfy 1 <= first <= last <= 65535"),
                row(
                        "source ports not a range",
                        replace("source-ports: 50000-59999", "source-ports: high"),
                        "gateway.black.source-ports",
                        "'high' is not a port range such as 49152-65535"),
                row(
                        "port key of 15 bytes",
                        replace(
                                "port-key: bf6022bb91bf7c9cfda2f6aabd67f6f0",
                                "port-key: bf6022bb91bf7c9cfda2f6aabd67f6"),
                        "gateway.black.port-key",
                        "must be 32 hexadecimal digits (16 bytes)"),
                row(
                        "port key of 17 bytes",
                        replace(
                                "port-key: bf6022bb91bf7c9cfda2f6aabd67f6f0",
                                "port-key: bf6022bb91bf7c9cfda2f6aabd67f6f0aa"),
                        "gateway.black.port-key",
                        "must be 32 hexadecimal digits (16 bytes)"),
                row(
                        "port key not hex",
                        replace(
                                "port-key: bf6022bb91bf7c9cfda2f6aabd67f6f0",
                                "port-key: bf6022bb91bf7c9cfda2f6aabd67f6gg"),
                        "gateway.black.port-key",
                        "must be 32 hexadecimal digits (16 bytes)"),
                row(
                        "port key of digits only, unquoted, which YAML reads as a number",
                        replace(
                                "port-key: bf6022bb91bf7c9cfda2f6aabd67f6f0",
                                "port-key: 01234567012345670123456701234567"),
                        "gateway.black.port-key",
                        "quote it if it has only digits"),
                row(
                        "negative keepalive",
                        replace("keepalive: 25s", "keepalive: -5s"),
                        "gateway.black.keepalive",
                        "must not be negative"),
                row(
                        "keepalive not a duration",
                        replace("keepalive: 25s", "keepalive: often"),
                        "gateway.black.keepalive",
                        "'often' is not a valid duration"),
                // red
                row(
                        "tun name of 16 characters",
                        replace("tun-name: vpn0", "tun-name: vpn0123456789abcd"),
                        "gateway.red.tun-name",
                        "'vpn0123456789abcd' must be 1-15 letters, digits, '_', '.' or '-'"),
                row(
                        "tun name with a slash",
                        replace("tun-name: vpn0", "tun-name: vpn/0"),
                        "gateway.red.tun-name",
                        "'vpn/0' must be 1-15 letters, digits, '_', '.' or '-'"),
                row(
                        "path MTU below 576",
                        replace("path-mtu: 1400", "path-mtu: 575"),
                        "gateway.red.path-mtu",
                        "must be 576-65535, got 575"),
                row(
                        "path MTU 0",
                        replace("path-mtu: 1400", "path-mtu: 0"),
                        "gateway.red.path-mtu",
                        "must be 576-65535, got 0"),
                row(
                        "a misspelled key, which would otherwise be ignored",
                        replace("path-mtu: 1400", "path-mtux: 1400"),
                        "gateway.red.path-mtux",
                        "not a known setting"),
                // tunnels
                row(
                        "two tunnels of one name",
                        replace("name: branch-c", "name: site-b"),
                        "gateway.tunnels[1].name",
                        "'site-b' is already the name of tunnels[0]"),
                row(
                        "a tunnel without a name",
                        replace("    - name: branch-c\n      remote-address:", "    - remote-address:"),
                        "gateway.tunnels[1].name",
                        "must be given"),
                row(
                        "remote address not an IP address",
                        replace("remote-address: 198.51.100.2", "remote-address: 198.51.100"),
                        "gateway.tunnels[0].remote-address",
                        "'198.51.100' is not an IP address (tunnel 'site-b')"),
                row(
                        "remote address missing",
                        remove("      remote-address: 198.51.100.2\n"),
                        "gateway.tunnels[0].remote-address",
                        "must be given (tunnel 'site-b')"),
                row(
                        "remote port 0",
                        replace("remote-port: 4501", "remote-port: 0"),
                        "gateway.tunnels[1].remote-port",
                        "must be 1-65535, got 0 (tunnel 'branch-c')"),
                row(
                        "remote port 70000",
                        replace("remote-port: 4501", "remote-port: 70000"),
                        "gateway.tunnels[1].remote-port",
                        "must be 1-65535, got 70000"),
                row(
                        "local-ts missing",
                        remove("      local-ts: [10.201.1.0/24, \"2001:db8:1::/48\"]\n"),
                        "gateway.tunnels[0].local-ts",
                        "must list at least one subnet (tunnel 'site-b')"),
                row(
                        "remote-ts empty",
                        replace("remote-ts: [10.203.0.0/16]", "remote-ts: []"),
                        "gateway.tunnels[1].remote-ts",
                        "must list at least one subnet (tunnel 'branch-c')"),
                row(
                        "selectors of different address families only",
                        replace("remote-ts: [10.203.0.0/16]", "remote-ts: [\"2001:db8:3::/48\"]"),
                        "gateway.tunnels[1].remote-ts",
                        "has no prefix of an address family that local-ts has"),
                row(
                        "prefix length 33",
                        replace("remote-ts: [10.203.0.0/16]", "remote-ts: [10.0.0.0/33]"),
                        "gateway.tunnels[1].remote-ts[0]",
                        "prefix length 33 out of range for 32-bit addresses"),
                row(
                        "prefix length not a number",
                        replace("remote-ts: [10.203.0.0/16]", "remote-ts: [10.0.0.0/x]"),
                        "gateway.tunnels[1].remote-ts[0]",
                        "'10.0.0.0/x' has no valid prefix length"),
                row(
                        "prefix of a host name",
                        replace("remote-ts: [10.203.0.0/16]", "remote-ts: [lan.example/16]"),
                        "gateway.tunnels[1].remote-ts[0]",
                        "'lan.example/16' is not an IP address or prefix"),
                row(
                        "no manual keying",
                        truncateAt("      manual:\n        suite: CHACHA20_POLY1305\n"),
                        "gateway.tunnels[1].manual",
                        "must be given: tunnel 'branch-c' needs manually keyed SAs"),
                // manual keying
                row(
                        "unknown cipher suite",
                        replace("suite: CHACHA20_POLY1305", "suite: AES_128_CBC"),
                        "gateway.tunnels[1].manual.suite",
                        "'AES_128_CBC' is not one of AES_128_GCM_16, AES_256_GCM_16, CHACHA20_POLY1305"),
                row(
                        "replay window above the maximum",
                        replace("replay-window: 2048", "replay-window: 65537"),
                        "gateway.tunnels[0].manual.replay-window",
                        "must be 0 (anti-replay off) to 65536 packets, got 65537"),
                row(
                        "negative replay window",
                        replace("replay-window: 2048", "replay-window: -1"),
                        "gateway.tunnels[0].manual.replay-window",
                        "got -1"),
                row(
                        "SPI 255, below 256",
                        replace("spi: 0x2100", "spi: 255"),
                        "gateway.tunnels[0].manual.inbound[1].spi",
                        "must be 0x100-0xffffffff (RFC 4303 reserves 0-255), got 0xff"),
                row(
                        "SPI 0 (also what a missing SPI binds to)",
                        replace("spi: 0x1000", "spi: 0"),
                        "gateway.tunnels[0].manual.outbound[0].spi",
                        "must be 0x100-0xffffffff"),
                row(
                        "SPI above 0xffffffff",
                        replace("spi: 0x2100", "spi: 0x100000000"),
                        "gateway.tunnels[0].manual.inbound[1].spi",
                        "must be 0x100-0xffffffff (RFC 4303 reserves 0-255), got 0x100000000"),
                row(
                        "SPI not a number",
                        replace("spi: 0x2100", "spi: twelve"),
                        "gateway.tunnels[0].manual.inbound[1].spi",
                        "'twelve' is not a whole number"),
                row(
                        "key not hex",
                        replace(
                                "key: fef861f50c99b923c36088c6b668b28cfe6d0312",
                                "key: fef861f50c99b923c36088c6b668b28cfe6d03zz"),
                        "gateway.tunnels[0].manual.inbound[1].key",
                        "keying material is not an even number of hexadecimal digits"),
                row(
                        "key of an odd number of digits",
                        replace(
                                "key: fef861f50c99b923c36088c6b668b28cfe6d0312",
                                "key: fef861f50c99b923c36088c6b668b28cfe6d031"),
                        "gateway.tunnels[0].manual.inbound[1].key",
                        "keying material is not an even number of hexadecimal digits"),
                row(
                        "key too short for the suite",
                        replace(
                                "key: 1672c86289ea41c98344dfcb9487ca0736f8400c",
                                "key: 1672c86289ea41c98344dfcb9487ca0736f840"),
                        "gateway.tunnels[0].manual.outbound[1].key",
                        "has 19 bytes, but AES_128_GCM_16 needs 20 (a 16-byte key and a 4-byte salt)"),
                row(
                        "keys too long for the suite",
                        replace("suite: CHACHA20_POLY1305", "suite: AES_128_GCM_16"),
                        "gateway.tunnels[1].manual.outbound[0].key",
                        "has 36 bytes, but AES_128_GCM_16 needs 20"),
                row(
                        "key missing",
                        remove(
                                "            key: 0c55b5e96c77436690edf6ec6b48814ab755b6d6ffc70556d2bb5f3e80b04a431976e0f7\n"),
                        "gateway.tunnels[1].manual.inbound[0].key",
                        "must be given"),
                row(
                        "no fallback outbound SA",
                        remove(
                                "          - spi: 0x3000\n            key: f23e347648888a0b06245ab74af5a26d9308e79adfc5dbaf334d02b28039162f83c7c078\n"),
                        "gateway.tunnels[1].manual.outbound",
                        "needs exactly one SA without a lane (the fallback SA), has 0"),
                row(
                        "two fallback outbound SAs",
                        replace("          - spi: 0x3101\n            lane: 1\n", "          - spi: 0x3101\n"),
                        "gateway.tunnels[1].manual.outbound",
                        "needs exactly one SA without a lane (the fallback SA), has 2"),
                row(
                        "two outbound SAs for one lane",
                        replace(
                                "spi: 4353 # 0x1101, in decimal\n            lane: 1",
                                "spi: 4353\n            lane: 0"),
                        "gateway.tunnels[0].manual.outbound[2].lane",
                        "is 0, but outbound[1] is already lane 0's SA"),
                row(
                        "negative lane",
                        replace("spi: 0x1100\n            lane: 0", "spi: 0x1100\n            lane: -1"),
                        "gateway.tunnels[0].manual.outbound[1].lane",
                        "must not be negative, got -1"),
                row(
                        "no inbound SA",
                        remove(
                                "        inbound:\n          - spi: 0x4000\n            key: 0c55b5e96c77436690edf6ec6b48814ab755b6d6ffc70556d2bb5f3e80b04a431976e0f7\n"),
                        "gateway.tunnels[1].manual.inbound",
                        "needs at least one SA"),
                row(
                        "one inbound SPI in two tunnels",
                        replace("spi: 0x4000", "spi: 0x2000"),
                        "gateway.tunnels[1].manual.inbound[0].spi",
                        "0x2000 is already the SPI of tunnels[0].manual.inbound[0] (tunnel 'site-b')"),
                row(
                        "one inbound SPI twice in one tunnel, once in decimal",
                        replace("spi: 8449 # 0x2101, in decimal", "spi: 8448"),
                        "gateway.tunnels[0].manual.inbound[2].spi",
                        "0x2100 is already the SPI of tunnels[0].manual.inbound[1]"),
                // IKE connections
                row(
                        "an unquoted hex PSK, which YAML reads as a number",
                        replace(
                                "psk: \"0x6b1f0e56a4b8d1c2e9f3a7c50d4e8b2a1c3f5e7d9b0a2c4e6f8a1b3c5d7e9f0a\"",
                                "psk: 0x6b1f0e56a4b8d1c2e9f3a7c50d4e8b2a1c3f5e7d9b0a2c4e6f8a1b3c5d7e9f0a"),
                        "gateway.connections[1].psk",
                        "YAML read this value as a number; write it in quotes"),
                row(
                        "a PSK that is too short",
                        replace(
                                "psk: \"0x6b1f0e56a4b8d1c2e9f3a7c50d4e8b2a1c3f5e7d9b0a2c4e6f8a1b3c5d7e9f0a\"",
                                "psk: \"0x6b1f0e56\""),
                        "gateway.connections[1].psk",
                        "has 4 bytes; use at least 16"),
                row(
                        "an IKE proposal with a non-AEAD cipher",
                        replace("[aes256gcm16-prfsha384-ecp384, aes128gcm16", "[aes256-sha384-ecp384, aes128gcm16"),
                        "gateway.connections[0].ike-proposals[0]",
                        "'aes256' is not an IKE algorithm this gateway supports"),
                row(
                        "a traffic selector with a bad prefix",
                        replace("remote-ts: [10.50.0.0/16,", "remote-ts: [10.50.0.0/36,"),
                        "gateway.connections[0].remote-ts[0]",
                        "has a prefix length that is not 0-32"),
                row(
                        "initiating to any address",
                        replace("remote-address: \"%any\"", "remote-address: \"%any\"\n      start-action: initiate"),
                        "gateway.connections[1].start-action",
                        "there is no peer to initiate to"),
                row(
                        "a connection named like a tunnel",
                        replace("    - name: hq\n", "    - name: site-b\n"),
                        "gateway.connections[0].name",
                        "is already the name of tunnels[0]"),
                // the file itself
                row("a missing file", NO_FILE, null, "the configuration file does not exist"),
                row(
                        "a file that is not YAML",
                        yaml -> "gateway: [lanes\n  black: {\n",
                        null,
                        "not valid YAML: line 2, column"),
                row(
                        "a key written twice",
                        replace("    port: 4500\n", "    port: 4500\n    port: 4501\n"),
                        null,
                        "not valid YAML: line 34, column 5: found duplicate key port"),
                row(
                        "broken YAML on a key's line",
                        replace(
                                "key: fef861f50c99b923c36088c6b668b28cfe6d0312",
                                "key: fef861f50c99b923c36088c6b668b28cfe6d0312: ["),
                        null,
                        "not valid YAML: line " + lineOf("key: fef861f50c99b923c36088c6b668b28cfe6d0312") + ", column"),
                row("a file without gateway:", replace("\ngateway:\n", "\ngatewy:\n"), null, "no 'gateway:' section"),
                row("an empty file", yaml -> "", null, "no 'gateway:' section"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void invalidValueStopsLoadingNamingTheFileTheKeyAndTheReason(
            String description, UnaryOperator<String> edit, String key, String reason) throws IOException {
        Path file = dir.resolve("gateway.yml");
        String yaml = edit.apply(ExampleConfig.text());
        if (yaml != null) {
            Files.writeString(file, yaml);
        }

        ConfigurationException e = assertThrows(ConfigurationException.class, () -> GatewayConfigLoader.load(file));

        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), () -> "names the file: " + message);
        if (key != null) {
            assertTrue(message.contains(": " + key + ": "), () -> "names the key " + key + ": " + message);
        }
        assertTrue(message.contains(reason), () -> "gives the reason '" + reason + "': " + message);
        assertNoSecretIn(e, ExampleConfig.text());
        if (yaml != null) {
            assertNoSecretIn(e, yaml);
        }
    }

    /** Neither the message nor anything in the printed cause chain holds 8 digits in a row of a key. */
    private static void assertNoSecretIn(ConfigurationException e, String yaml) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        String printed = trace.toString().toLowerCase(Locale.ROOT);
        for (String secret : ExampleConfig.secrets(yaml)) {
            String lower = secret.toLowerCase(Locale.ROOT);
            for (int i = 0; i + 8 <= lower.length(); i++) {
                String piece = lower.substring(i, i + 8);
                assertFalse(printed.contains(piece), () -> "a key shows in the exception: " + printed);
            }
        }
    }

    @Test
    void unchangedExampleLoads() {
        assertEquals(2, ExampleConfig.load().tunnels().size());
    }

    @Test
    void directoryInsteadOfAFileIsReportedAsUnreadable() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> GatewayConfigLoader.load(dir));
        assertEquals(dir + ": cannot read the configuration file", e.getMessage());
    }

    /** The 1-based line of the example file that contains {@code text}. */
    private static int lineOf(String text) {
        String[] lines = ExampleConfig.text().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(text)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("the example has no line with " + text);
    }
}
