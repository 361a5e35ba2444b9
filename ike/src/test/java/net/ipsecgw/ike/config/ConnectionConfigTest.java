package net.ipsecgw.ike.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import net.ipsecgw.ike.dataplane.TsRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConnectionConfigTest {
    private static final String PSK = "a pre-shared key of 32 characters";

    private static ConnectionConfig minimal() {
        return ConnectionConfig.builder("site")
                .remoteAddress("192.0.2.2")
                .psk(Secret.valueOf(PSK))
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .build();
    }

    @Test
    void minimalConnectionGetsTheDocumentedDefaults() {
        ConnectionConfig c = minimal();
        assertEquals(500, c.remotePort());
        assertEquals("192.0.2.2", c.remoteId());
        assertEquals(ConnectionConfig.AuthMethod.PSK, c.auth());
        assertEquals(List.of("aes128gcm16-prfsha256-x25519"), c.ikeProposals());
        assertEquals(Duration.ofHours(4), c.ikeRekeyTime());
        assertEquals(Duration.ofHours(1), c.childRekeyTime());
        assertEquals(Duration.ofMinutes(66), c.childLifeTime());
        assertEquals(Duration.ofSeconds(30), c.dpdDelay());
        assertTrue(c.perCpuSas());
        assertTrue(c.multiport());
        assertEquals(ConnectionConfig.StartAction.NONE, c.startAction());
        assertEquals(1024, c.replayWindow());
    }

    @Test
    void printedConnectionNeverShowsThePsk() {
        assertFalse(minimal().toString().contains(PSK));
        assertTrue(minimal().toString().contains("<secret>"));
    }

    @Test
    void shortPskIsRefusedNamingTheKey() {
        ConfigValueException e = assertThrows(ConfigValueException.class, () -> ConnectionConfig.builder("site")
                .remoteAddress("192.0.2.2")
                .psk(Secret.valueOf("short"))
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .build());
        assertEquals("psk", e.key());
        assertFalse(e.getMessage().contains("short"));
    }

    @Test
    void unknownProposalKeywordIsNamedWithItsIndex() {
        ConfigValueException e = assertThrows(ConfigValueException.class, () -> ConnectionConfig.builder("site")
                .remoteAddress("192.0.2.2")
                .psk(Secret.valueOf(PSK))
                .ikeProposals(List.of("aes128gcm16-prfsha256-x25519", "aes128-sha256-modp2048"))
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .build());
        assertEquals("ike-proposals[1]", e.key());
        assertTrue(e.problem().contains("'aes128'"), e.problem());
    }

    @Test
    void certificateAuthNeedsCertificateKeyAndAnchors() {
        ConfigValueException e = assertThrows(ConfigValueException.class, () -> ConnectionConfig.builder("site")
                .remoteAddress("192.0.2.2")
                .auth(ConnectionConfig.AuthMethod.PUBKEY)
                .certificate("gw.pem")
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .build());
        assertEquals("private-key", e.key());
    }

    @Test
    void initiatingToAnyAddressIsRefused() {
        ConfigValueException e = assertThrows(ConfigValueException.class, () -> ConnectionConfig.builder("site")
                .remoteAddress("%any")
                .psk(Secret.valueOf(PSK))
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .startAction(ConnectionConfig.StartAction.INITIATE)
                .build());
        assertEquals("start-action", e.key());
    }

    @Test
    void lifeTimeMustExceedRekeyTime() {
        ConfigValueException e = assertThrows(ConfigValueException.class, () -> ConnectionConfig.builder("site")
                .remoteAddress("192.0.2.2")
                .psk(Secret.valueOf(PSK))
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .childRekeyTime(Duration.ofMinutes(10))
                .childLifeTime(Duration.ofMinutes(5))
                .build());
        assertEquals("child-life-time", e.key());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "10.1.0.0/16;10.1.0.0;10.1.255.255;0;0;65535",
                "10.1.2.3;10.1.2.3;10.1.2.3;0;0;65535",
                "10.1.0.5-10.1.0.9;10.1.0.5;10.1.0.9;0;0;65535",
                "10.0.0.0/8[tcp/443];10.0.0.0;10.255.255.255;6;443;443",
                "0.0.0.0/0[udp/1000-2000];0.0.0.0;255.255.255.255;17;1000;2000",
                "2001:db8::/32[icmp6];2001:db8::;2001:db8:ffff:ffff:ffff:ffff:ffff:ffff;58;0;65535"
            })
    void trafficSelectorsParseIntoRanges(String text, String start, String end, int proto, int from, int to)
            throws Exception {
        TsRange range = TrafficSelectors.parse(text);
        assertEquals(InetAddress.getByName(start), range.start());
        assertEquals(InetAddress.getByName(end), range.end());
        assertEquals(proto, range.protocol());
        assertEquals(from, range.startPort());
        assertEquals(to, range.endPort());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "10.1.0.0/33;prefix length",
                "10.1.0.300;not an IP address",
                "10.1.0.9-10.1.0.5;ends before it starts",
                "10.1.0.0/16[tcp/99999];not 0-65535",
                "10.1.0.0/16[smtp];neither a known name",
                "10.1.0.0/16[tcp/80;closing",
                "10.0.0.1-2001:db8::1;mixes"
            })
    void badTrafficSelectorsSayWhatIsWrong(String text, String problem) {
        ConfigValueException e = assertThrows(ConfigValueException.class, () -> TrafficSelectors.parse(text));
        assertTrue(e.problem().contains(problem), e.problem());
    }

    @Test
    void espProposalWithoutEsnKeywordOffersBoth() {
        Proposals.Esp esp = Proposals.parseEsp("aes256gcm16-ecp384");
        assertEquals(List.of(true, false), esp.esn());
        assertEquals(List.of(20), esp.groups());
        assertEquals(new Proposals.Encryption(20, 256), esp.encryption().getFirst());
    }

    @Test
    void ikeProposalNeedsAPrfAndAGroup() {
        assertEquals(
                "ike-proposals",
                assertThrows(ConfigValueException.class, () -> Proposals.parseIke("aes128gcm16-x25519"))
                        .key());
        assertTrue(assertThrows(ConfigValueException.class, () -> Proposals.parseIke("aes128gcm16-prfsha256"))
                .problem()
                .contains("key exchange group"));
    }
}
