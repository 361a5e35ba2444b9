package net.ipsecgw.admin.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.ipsecgw.testing.Privileges;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab in one command, as the README tells a newcomer (root): {@code scripts/lab.sh console} builds
 * the namespaces and runs the appliance (profile lab) in lab-ga with gateway b in lab-gb; host A pings
 * host B through the IKE tunnel, the console's API shows it established; a TERM stops it all and leaves
 * no namespace and no process behind. Runs the repackaged jar (failsafe runs after package).
 */
class LabConsoleIT {
    private static final String PASSWORD = "lab-console-it-password";
    private static final List<String> NAMESPACES = List.of("lab-ha", "lab-ga", "lab-gb", "lab-hb");

    @TempDir
    Path state;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void oneCommandPingsThroughARealTunnelAndCleansUp() throws Exception {
        Privileges.requireRoot("the lab builds network namespaces and TUN devices");
        Privileges.requireProgram("ip", "iproute2");
        Privileges.requireProgram("ping", "iputils-ping");
        Privileges.requireProgram("curl", "curl");
        Privileges.require(namespaces().isEmpty(), "a lab runs already (" + namespaces() + "): scripts/lab.sh down");
        Path root = Path.of("").toAbsolutePath().getParent();
        Path jar = root.resolve("admin-ui/target/admin-ui-0.1.0-SNAPSHOT.jar");
        Privileges.require(Files.isRegularFile(jar), "the appliance's jar is not built: " + jar);

        Path log = state.resolve("console.log");
        Process lab = new ProcessBuilder(
                        root.resolve("scripts/lab.sh").toString(),
                        "console",
                        "--appliance.state-directory=" + state.resolve("appliance"),
                        "--console.initial-password=" + PASSWORD)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            String tunnels = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!tunnels.contains("\"state\":\"ESTABLISHED\"") && System.nanoTime() < deadline) {
                assertThat(lab.isAlive())
                        .as("scripts/lab.sh console exited: %s", tail(log))
                        .isTrue();
                Thread.sleep(500);
                tunnels = run(
                        "ip",
                        "netns",
                        "exec",
                        "lab-ga",
                        "curl",
                        "-sf",
                        "-u",
                        "admin:" + PASSWORD,
                        "http://127.0.0.1:8080/api/tunnels");
            }
            assertThat(tunnels)
                    .as("the console's tunnels; log: %s", tail(log))
                    .contains("\"name\":\"lab-ab\"")
                    .contains("\"state\":\"ESTABLISHED\"");
            lab.descendants().forEach(started::add);

            String status = run(
                    "ip",
                    "netns",
                    "exec",
                    "lab-ga",
                    "curl",
                    "-sf",
                    "-u",
                    "admin:" + PASSWORD,
                    "http://127.0.0.1:8080/api/status");
            assertThat(status).contains("\"mode\":\"LAB\"").contains("gateway b in lab-gb");
            Matcher pid = Pattern.compile("gateway b in lab-gb \\(pid (\\d+)").matcher(status);
            assertThat(pid.find()).isTrue();
            ProcessHandle b = ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow();
            assertThat(b.info().commandLine().orElse("")).contains("GatewayMain");

            boolean pinged = false;
            for (int i = 0; i < 5 && !pinged; i++) {
                pinged = exitCode(
                                "ip", "netns", "exec", "lab-ha", "ping", "-n", "-q", "-c", "3", "-W", "1", "10.201.2.2")
                        == 0;
            }
            assertThat(pinged).as("host A pings host B through the tunnel").isTrue();

            lab.destroy(); // SIGTERM to the script, as Ctrl-C does
            assertThat(lab.waitFor(60, TimeUnit.SECONDS))
                    .as("stopped; log: %s", tail(log))
                    .isTrue();
            assertThat(Files.readString(log)).contains("lab: lab is down");
            assertThat(namespaces()).isEmpty();
            assertThat(b.isAlive()).as("gateway b").isFalse();
            assertThat(started).noneMatch(ProcessHandle::isAlive);
        } finally {
            if (lab.isAlive()) {
                lab.destroy();
                if (!lab.waitFor(60, TimeUnit.SECONDS)) {
                    lab.descendants().forEach(ProcessHandle::destroyForcibly);
                    lab.destroyForcibly();
                }
            }
            if (!namespaces().isEmpty()) {
                run(root.resolve("scripts/lab.sh").toString(), "down");
            }
        }
    }

    private static List<String> namespaces() throws IOException, InterruptedException {
        return run("ip", "netns", "list")
                .lines()
                .map(line -> line.split(" ")[0])
                .filter(NAMESPACES::contains)
                .toList();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return out;
    }

    private static int exitCode(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return process.waitFor();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
