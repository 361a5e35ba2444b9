package net.ipsecgw.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import net.ipsecgw.core.lane.LaneTransport;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.esp.EspCipherSuite;
import net.ipsecgw.esp.KeyMaterial;
import net.ipsecgw.esp.ReplayWindow;
import net.ipsecgw.natt.PortRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that {@link GatewayConfigLoader} binds the documented example configuration
 * (docs/examples/gateway.yml) value for value: addresses, lanes, transport, ports, port key,
 * durations with units, path MTU, traffic selectors, SPIs in hex and in decimal, keys, lanes of SAs
 * and multiport; that the configuration never prints a key; that a minimal file gets the documented
 * defaults; and that the relaxed spellings the example's comments promise are accepted.
 */
class GatewayConfigLoaderTest {
    @TempDir
    Path dir;

    private static final String MINIMAL = """
            gateway:
              tunnels:
                - name: only
                  remote-address: 203.0.113.9
                  local-ts: [10.1.0.0/16]
                  remote-ts: [10.2.0.0/16]
                  manual:
                    outbound:
                      - spi: 0x500
                        key: 000102030405060708090a0b0c0d0e0f10111213
                    inbound:
                      - spi: 0x600
                        key: 101112131415161718191a1b1c1d1e1f20212223
            """;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("gateway.yml");
        Files.writeString(file, yaml);
        return file;
    }

    private static TunnelConfig tunnel(GatewayConfig config, String name) {
        return config.tunnels().stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static KeyMaterial key(String hex) {
        return KeyMaterial.ofHex(hex);
    }

    @Test
    void exampleLanesBlackAndRedSidesComeOutAsWritten() {
        GatewayConfig config = ExampleConfig.load();

        assertEquals(List.of(0, 1), config.lanes().cpus());
        assertEquals(LaneTransport.EPOLL, config.lanes().transport());

        GatewayConfig.Black black = config.black();
        assertEquals("192.0.2.1", black.address());
        assertEquals(4500, black.port());
        assertEquals(new PortRange(50000, 59999), black.sourcePorts());
        assertEquals("bf6022bb91bf7c9cfda2f6aabd67f6f0", black.portKey());
        assertArrayEquals(HexFormat.of().parseHex("bf6022bb91bf7c9cfda2f6aabd67f6f0"), black.portKeyBytes());
        assertEquals(Duration.ofSeconds(25), black.keepalive());
        assertEquals(Boolean.TRUE, black.gso());

        assertEquals("vpn0", config.red().tunName());
        assertEquals(1400, config.red().pathMtu());
    }

    @Test
    void exampleTunnelsComeOutAsWrittenInOrder() {
        GatewayConfig config = ExampleConfig.load();
        assertEquals(
                List.of("site-b", "branch-c"),
                config.tunnels().stream().map(TunnelConfig::name).toList());

        TunnelConfig siteB = config.tunnels().get(0);
        assertEquals("198.51.100.2", siteB.remoteAddress());
        assertEquals(4500, siteB.remotePort(), "remote-port not written: the NAT-T port");
        assertEquals(List.of(IpPrefix.parse("10.201.1.0/24"), IpPrefix.parse("2001:db8:1::/48")), siteB.localTs());
        assertEquals(List.of(IpPrefix.parse("10.201.2.0/24"), IpPrefix.parse("2001:db8:2::/48")), siteB.remoteTs());
        assertTrue(siteB.multiport());

        TunnelConfig branchC = config.tunnels().get(1);
        assertEquals("2001:db8:ffff::2", branchC.remoteAddress());
        assertEquals(4501, branchC.remotePort());
        assertEquals(List.of(IpPrefix.parse("10.201.1.0/24")), branchC.localTs());
        assertEquals(List.of(IpPrefix.parse("10.203.0.0/16")), branchC.remoteTs());
        assertFalse(branchC.multiport());
    }

    @Test
    void selectorsPairOnlyPrefixesOfOneAddressFamily() {
        TunnelConfig siteB = tunnel(ExampleConfig.load(), "site-b");
        assertEquals(
                List.of(
                        TrafficSelector.between("10.201.1.0/24", "10.201.2.0/24"),
                        TrafficSelector.between("2001:db8:1::/48", "2001:db8:2::/48")),
                siteB.selectors());
    }

    @Test
    void manualKeyingComesOutAsWritten() {
        GatewayConfig config = ExampleConfig.load();

        ManualKeying siteB = tunnel(config, "site-b").manual();
        assertEquals(EspCipherSuite.AES_128_GCM_16, siteB.suite());
        assertTrue(siteB.esn());
        assertEquals(2048, siteB.replayWindow());

        ManualKeying branchC = tunnel(config, "branch-c").manual();
        assertEquals(EspCipherSuite.CHACHA20_POLY1305, branchC.suite());
        assertFalse(branchC.esn(), "esn not written: off");
        assertEquals(ReplayWindow.DEFAULT_SIZE, branchC.replayWindow(), "replay-window not written: the default");
    }

    @Test
    void spisWrittenInHexAndInDecimalBindToTheirNumbers() {
        ManualKeying siteB = tunnel(ExampleConfig.load(), "site-b").manual();
        assertEquals(
                List.of(0x1000L, 0x1100L, 0x1101L),
                siteB.outbound().stream().map(ManualSa::spi).toList(),
                "0x1000, 0x1100 and 4353");
        assertEquals(
                List.of(0x2000L, 0x2100L, 0x2101L),
                siteB.inbound().stream().map(ManualSa::spi).toList(),
                "0x2000, 0x2100 and 8449");
        assertEquals(0x1101, siteB.outbound().get(2).wireSpi());
    }

    @Test
    void lanesOfSasComeOutAsWrittenAndAbsentLaneMeansFallback() {
        GatewayConfig config = ExampleConfig.load();
        ManualKeying siteB = tunnel(config, "site-b").manual();
        assertEquals(
                java.util.Arrays.asList(null, 0, 1),
                siteB.outbound().stream().map(ManualSa::lane).toList());
        assertEquals(
                java.util.Arrays.asList(null, 0, 1),
                siteB.inbound().stream().map(ManualSa::lane).toList());

        ManualKeying branchC = tunnel(config, "branch-c").manual();
        assertEquals(
                java.util.Arrays.asList(null, 1),
                branchC.outbound().stream().map(ManualSa::lane).toList());
        assertNull(branchC.inbound().get(0).lane());
    }

    @Test
    void keysBindToTheBytesWritten() {
        GatewayConfig config = ExampleConfig.load();
        ManualKeying siteB = tunnel(config, "site-b").manual();
        assertEquals(
                key("5792386de07cd55049b608972fe7f2381f6168e0"),
                siteB.outbound().get(0).key());
        assertEquals(
                key("1672c86289ea41c98344dfcb9487ca0736f8400c"),
                siteB.outbound().get(1).key());
        assertEquals(
                key("343b4c82669ef978a5ece44d6b58d3e7b637a9b7"),
                siteB.outbound().get(2).key());
        assertEquals(
                key("b8512cbf541a9b416481dd04a8f810888eaf7d64"),
                siteB.inbound().get(0).key());
        assertEquals(
                key("fef861f50c99b923c36088c6b668b28cfe6d0312"),
                siteB.inbound().get(1).key());
        assertEquals(
                key("31a875c04a58aa12b09a2e2c6774b4bdd33c192c"),
                siteB.inbound().get(2).key());

        ManualKeying branchC = tunnel(config, "branch-c").manual();
        assertEquals(
                key("f23e347648888a0b06245ab74af5a26d9308e79adfc5dbaf334d02b28039162f83c7c078"),
                branchC.outbound().get(0).key());
        assertEquals(
                key("35e696b9d6861e4766cdbfb74a231191dd0bea61a17847ebb77a032db990889c0ca971a8"),
                branchC.outbound().get(1).key());
        assertEquals(
                key("0c55b5e96c77436690edf6ec6b48814ab755b6d6ffc70556d2bb5f3e80b04a431976e0f7"),
                branchC.inbound().get(0).key());
        assertEquals(36, branchC.inbound().get(0).key().length());
    }

    @Test
    void printedConfigurationContainsNoKeyNorPortKey() {
        List<String> secrets = ExampleConfig.secrets(ExampleConfig.text());
        assertEquals(10, secrets.size(), "9 SA keys and the port key: " + secrets);
        String printed = ExampleConfig.load().toString().toLowerCase(Locale.ROOT);
        assertTrue(printed.contains("site-b") && printed.contains("10.201.2.0/24"), printed);
        for (String secret : secrets) {
            // Not the whole value, nor any 8 of its digits in a row.
            for (int i = 0; i + 8 <= secret.length(); i++) {
                String piece = secret.substring(i, i + 8).toLowerCase(Locale.ROOT);
                assertFalse(printed.contains(piece), () -> "printed configuration shows a key: " + printed);
            }
        }
    }

    @Test
    void minimalFileGetsTheDocumentedDefaults() throws IOException {
        GatewayConfig config = GatewayConfigLoader.load(write(MINIMAL));

        assertEquals(List.of(), config.lanes().cpus(), "no CPUs listed: one lane per allowed CPU");
        assertEquals(LaneTransport.EPOLL, config.lanes().transport());
        assertEquals("0.0.0.0", config.black().address());
        assertEquals(4500, config.black().port());
        assertEquals(PortRange.DYNAMIC, config.black().sourcePorts());
        assertEquals(new PortRange(49152, 65535), config.black().sourcePorts());
        assertEquals(Duration.ofSeconds(20), config.black().keepalive());
        assertEquals(16, config.black().portKeyBytes().length);
        assertNull(config.black().gso(), "not written: decided by the transport at start");
        assertTrue(config.black().useGso(true, "epoll"), "on where the transport can");
        assertFalse(config.black().useGso(false, "epoll"), "off where it cannot");
        assertEquals("ipsecgw0", config.red().tunName());
        assertEquals(1500, config.red().pathMtu());

        TunnelConfig only = config.tunnels().get(0);
        assertEquals(4500, only.remotePort());
        assertFalse(only.multiport());
        assertEquals(EspCipherSuite.AES_128_GCM_16, only.manual().suite());
        assertFalse(only.manual().esn());
        assertEquals(ReplayWindow.DEFAULT_SIZE, only.manual().replayWindow());
    }

    @Test
    void redSideIsTunUnlessGeneratorModeIsChosen() throws IOException {
        assertEquals(
                GatewayConfig.RedMode.TUN,
                GatewayConfigLoader.load(write(MINIMAL)).red().mode());

        GatewayConfig config = GatewayConfigLoader.load(write(MINIMAL.replace("gateway:\n", """
                gateway:
                  red:
                    mode: generator
                    generator:
                      local-prefix: 10.1.0.0/24
                      remote-prefix: 10.2.0.0/24
                      rate: 500
                """)));
        GatewayConfig.Generator generator = config.red().generator();
        assertEquals(GatewayConfig.RedMode.GENERATOR, config.red().mode());
        assertEquals("10.1.0.0/24", generator.localPrefix().toString());
        assertEquals("10.2.0.0/24", generator.remotePrefix().toString());
        assertEquals(500, generator.rate());
        assertEquals(16, generator.flows(), "default");
        assertEquals(256, generator.size(), "default");
    }

    @Test
    void generatorModeWithoutItsPrefixesStopsLoadingNamingTheKey() throws IOException {
        Path file = write(MINIMAL.replace("gateway:\n", """
                gateway:
                  red:
                    mode: generator
                """));
        GatewayConfigLoader.ConfigurationException e = org.junit.jupiter.api.Assertions.assertThrows(
                GatewayConfigLoader.ConfigurationException.class, () -> GatewayConfigLoader.load(file));
        assertTrue(e.getMessage().contains("gateway.red.generator: must be given in generator mode"), e.getMessage());
    }

    @Test
    void keepaliveOfZeroSecondsTurnsKeepalivesOffInsteadOfTakingTheDefault() throws IOException {
        GatewayConfig config = GatewayConfigLoader.load(write(MINIMAL.replace("gateway:\n", """
                gateway:
                  black:
                    keepalive: 0s
                """)));
        assertTrue(config.black().keepalive().isZero());
    }

    @Test
    void gsoWrittenTrueOnATransportThatCannotStopsStartNamingTheKey() throws IOException {
        GatewayConfig on = GatewayConfigLoader.load(write(MINIMAL.replace("gateway:\n", """
                gateway:
                  black:
                    gso: true
                """)));
        assertTrue(on.black().useGso(true, "epoll"));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> on.black().useGso(false, "io_uring"));
        assertTrue(
                e.getMessage().startsWith("gateway.black.gso is true, but the io_uring transport cannot"),
                e.getMessage());

        GatewayConfig off = GatewayConfigLoader.load(write(MINIMAL.replace("gateway:\n", """
                gateway:
                  black:
                    gso: false
                """)));
        assertFalse(off.black().useGso(true, "epoll"), "written false: off even where the transport can");
        assertFalse(off.black().useGso(false, "io_uring"));
    }

    @Test
    void relaxedSpellingsBindLikeTheDocumentedOnes() throws IOException {
        String yaml = """
                gateway:
                  lanes:
                    transport: io-uring
                  black:
                    sourcePorts: 40000-40100
                    port_key: "00000000000000000000000000000001"
                    keepalive: 2m
                  red:
                    tunName: gw1
                  tunnels:
                    - name: relaxed
                      remoteAddress: 203.0.113.9
                      remote_port: 4600
                      localTs: [10.1.0.0/16]
                      remoteTs: [10.2.0.0/16]
                      manual:
                        suite: aes-256-gcm-16
                        replayWindow: 0
                        outbound:
                          - spi: "0x500"
                            key: "00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16:17:18:19:1a:1b:1c:1d:1e:1f:20:21:22:23"
                        inbound:
                          - spi: 4294967295
                            key: 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233
                """;
        GatewayConfig config = GatewayConfigLoader.load(write(yaml));

        assertEquals(LaneTransport.IO_URING, config.lanes().transport());
        assertEquals(new PortRange(40000, 40100), config.black().sourcePorts());
        assertEquals("00000000000000000000000000000001", config.black().portKey(), "quoted digits stay text");
        assertEquals(Duration.ofMinutes(2), config.black().keepalive());
        assertEquals("gw1", config.red().tunName());
        TunnelConfig relaxed = config.tunnels().get(0);
        assertEquals("203.0.113.9", relaxed.remoteAddress());
        assertEquals(4600, relaxed.remotePort());
        assertEquals(List.of(IpPrefix.parse("10.1.0.0/16")), relaxed.localTs());
        assertEquals(EspCipherSuite.AES_256_GCM_16, relaxed.manual().suite());
        assertEquals(0, relaxed.manual().replayWindow(), "0 turns anti-replay off; it is not the default");
        assertEquals(0x500L, relaxed.manual().outbound().get(0).spi());
        assertEquals(
                key("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"),
                relaxed.manual().outbound().get(0).key(),
                "colons between the bytes of a key are ignored");
        assertEquals(0xFFFF_FFFFL, relaxed.manual().inbound().get(0).spi());
        assertEquals(-1, relaxed.manual().inbound().get(0).wireSpi());
    }
}
