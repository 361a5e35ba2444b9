package net.ipsecgw.admin.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.GatewayConfigLoader;
import net.ipsecgw.ike.config.ConnectionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabDataPathTest {
    @TempDir
    Path directory;

    private static final String A = """
            gateway:
              black:
                address: 10.201.0.1
              red:
                tun-name: ipsecgw0
              connections:
                - name: lab-ab
                  remote-address: 10.201.0.2
                  local-ts: [10.201.1.0/24]
                  remote-ts: [10.201.2.0/24]
                  psk: lab-psk-not-for-production-use
                  start-action: initiate
            """;

    @Test
    void gatewayBMirrorsTheConnectionAndWaitsForA() throws Exception {
        GatewayConfig a = load("a.yml", A);

        GatewayConfig b = load("b.yml", LabDataPath.mirror(a));

        assertThat(b.black().address()).isEqualTo("10.201.0.2");
        assertThat(b.black().port()).isEqualTo(a.black().port());
        assertThat(b.ike().port()).isEqualTo(a.ike().port());
        ConnectionConfig ab = a.connections().getFirst();
        assertThat(b.connections()).singleElement().satisfies(ba -> {
            assertThat(ba.name()).isEqualTo("lab-ba");
            assertThat(ba.remoteAddress()).isEqualTo("10.201.0.1");
            assertThat(ba.localTs()).isEqualTo(List.of("10.201.2.0/24"));
            assertThat(ba.remoteTs()).isEqualTo(List.of("10.201.1.0/24"));
            assertThat(ba.psk()).isEqualTo(ab.psk());
            assertThat(ba.localId()).isEqualTo(ab.remoteId());
            assertThat(ba.remoteId()).isEqualTo("10.201.0.1");
            assertThat(ba.perCpuSas()).isTrue();
            assertThat(ba.multiport()).isTrue();
            assertThat(ba.startAction()).isEqualTo(ConnectionConfig.StartAction.NONE);
        });
    }

    @Test
    void needsAConnectionToGatewayB() throws Exception {
        GatewayConfig a = load("a.yml", A.replace("10.201.0.2", "10.201.0.9"));

        assertThatThrownBy(() -> LabDataPath.mirror(a)).hasMessageContaining("remote-address: 10.201.0.2");
    }

    private GatewayConfig load(String name, String yaml) throws Exception {
        Path file = directory.resolve(name);
        Files.writeString(file, yaml);
        return GatewayConfigLoader.load(file);
    }
}
