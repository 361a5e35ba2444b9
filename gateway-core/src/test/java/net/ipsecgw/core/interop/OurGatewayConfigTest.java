package net.ipsecgw.core.interop;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.GatewayConfigLoader;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YAML that {@link OurGatewayProcess} writes is a configuration our gateway accepts, and binds to
 * the connection the {@link ConnectionSpec} describes: so the interop tests configure what they say.
 */
class OurGatewayConfigTest {
    @TempDir
    Path dir;

    private ConnectionConfig load(ConnectionSpec spec) throws Exception {
        Path file = dir.resolve("gateway.yml");
        Files.writeString(file, OurGatewayProcess.yaml(spec, OurGatewayProcess.Options.defaults()));
        GatewayConfig config = GatewayConfigLoader.load(file);
        assertEquals(1, config.connections().size(), "connections in:\n" + Files.readString(file));
        assertEquals(List.of(), config.tunnels());
        return config.connections().getFirst();
    }

    @Test
    void pskSpecBindsToAPskConnectionWithItsProposalsSelectorsAndLifetimes() throws Exception {
        LabTunnel tunnel = LabTunnel.psk("aes128gcm16-prfsha256-x25519", "aes128gcm16")
                .both(b -> b.childLifetimes(Duration.ofSeconds(20), Duration.ofSeconds(30))
                        .ikeLifetimes(Duration.ofSeconds(40), Duration.ZERO)
                        .dpd(Duration.ofSeconds(3), ConnectionSpec.DpdAction.CLEAR)
                        .startAction(ConnectionSpec.StartAction.START));
        ConnectionConfig c = load(tunnel.a());
        ConnectionSpec.Psk psk = (ConnectionSpec.Psk) tunnel.a().auth();
        assertAll(
                () -> assertEquals(LabTunnel.NAME, c.name()),
                () -> assertEquals(InteropLab.BLACK_B, c.remoteAddress()),
                () -> assertEquals(500, c.remotePort()),
                () -> assertEquals(InteropLab.BLACK_A, c.localId()),
                () -> assertEquals(InteropLab.BLACK_B, c.remoteId()),
                () -> assertEquals(ConnectionConfig.AuthMethod.PSK, c.auth()),
                () -> assertEquals(Secret.valueOf(psk.secret()), c.psk()),
                () -> assertEquals(List.of("aes128gcm16-prfsha256-x25519"), c.ikeProposals()),
                () -> assertEquals(List.of("aes128gcm16"), c.espProposals()),
                () -> assertEquals(List.of(InteropLab.RED_A_NET), c.localTs()),
                () -> assertEquals(List.of(InteropLab.RED_B_NET), c.remoteTs()),
                () -> assertEquals(Duration.ofSeconds(40), c.ikeRekeyTime()),
                () -> assertEquals(Duration.ofSeconds(20), c.childRekeyTime()),
                () -> assertEquals(Duration.ofSeconds(30), c.childLifeTime()),
                () -> assertEquals(Duration.ofSeconds(3), c.dpdDelay()),
                () -> assertEquals(ConnectionConfig.DpdAction.CLEAR, c.dpdAction()),
                () -> assertEquals(ConnectionConfig.StartAction.INITIATE, c.startAction()),
                () -> assertEquals(true, c.perCpuSas(), "left at its default"),
                () -> assertEquals(true, c.multiport(), "left at its default"));
    }

    @Test
    void certificateSpecBindsToAPubkeyConnectionWithFqdnIdentitiesAndItsFiles() throws Exception {
        TestPki pki = TestPki.create(TestPki.Curve.P256, dir.resolve("pki"));
        LabTunnel tunnel = LabTunnel.certificates(pki, "aes256gcm16-prfsha384-ecp384", "aes256gcm16");
        ConnectionConfig c = load(tunnel.b());
        ConnectionSpec.Certificates certs =
                (ConnectionSpec.Certificates) tunnel.b().auth();
        assertAll(
                () -> assertEquals(ConnectionConfig.AuthMethod.PUBKEY, c.auth()),
                () -> assertEquals(LabTunnel.FQDN_B, c.localId()),
                () -> assertEquals(LabTunnel.FQDN_A, c.remoteId()),
                () -> assertEquals(certs.certificate().toString(), c.certificate()),
                () -> assertEquals(certs.privateKey().toString(), c.privateKey()),
                () -> assertEquals(List.of(pki.caCertificate().toString()), c.caCertificates()),
                () -> assertEquals(List.of("aes256gcm16-prfsha384-ecp384"), c.ikeProposals()),
                () -> assertEquals(Duration.ZERO, c.dpdDelay(), "DPD off unless the spec asks"),
                () -> assertEquals(ConnectionConfig.StartAction.NONE, c.startAction()));
    }
}
