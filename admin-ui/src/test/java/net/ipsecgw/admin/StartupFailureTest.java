package net.ipsecgw.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The real application refuses to start on a bad value, and says which key and why, in one line. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {
    @TempDir
    Path state;

    @Test
    void badValueStopsTheApplicationNamingKeyAndReason(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(ApplianceApplication.class)
                        .profiles("demo")
                        .run("--server.port=0", "--appliance.state-directory=" + state, "--gateway.black.port=70000"))
                .isNotNull();
        assertThat(output.getAll()).contains("Invalid configuration: gateway.black.port: must be 1-65535, got 70000");
    }

    @Test
    void brokenConnectionsFileStopsTheApplicationNamingTheKey(CapturedOutput output) throws Exception {
        Path file = state.resolve("connections.yml");
        java.nio.file.Files.writeString(
                file,
                "gateway:\n  connections:\n    - name: x\n      remote-address: 192.0.2.1\n      psk: short\n"
                        + "      local-ts: [10.0.0.0/8]\n      remote-ts: [10.1.0.0/16]\n");
        assertThatThrownBy(() -> new SpringApplicationBuilder(ApplianceApplication.class)
                        .profiles("demo")
                        .run("--server.port=0", "--appliance.state-directory=" + state))
                .isNotNull();
        assertThat(output.getAll()).contains("Invalid configuration: gateway.connections[0].psk: has 5 bytes");
    }
}
