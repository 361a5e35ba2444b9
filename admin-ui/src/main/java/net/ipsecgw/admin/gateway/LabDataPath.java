package net.ipsecgw.admin.gateway;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.ike.config.ConnectionConfig;

/**
 * The lab (scripts/lab.sh, benchmarks/lib/topology.sh): this JVM runs inside the network namespace
 * {@value #OWN_NAMESPACE} ({@code scripts/lab.sh console} starts it there) and runs gateway {@code a}
 * itself on TUN, as {@link TunDataPath} does; gateway {@code b} runs as a child process
 * ({@code net.ipsecgw.core.GatewayMain}, this JVM's own java and class path) in {@value #PEER_NAMESPACE},
 * on TUN too, with the mirror of every connection of {@code a} towards {@value #PEER_ADDRESS} (selectors
 * and identities swapped, the same PSK, waiting for {@code a} to initiate).
 *
 * <p>{@code b}'s configuration, log and status file are in the state directory ({@code lab-gb.yml},
 * {@code lab-gb.log}, {@code lab-gb.status}). Closing stops {@code a} first (it deletes its IKE SAs while
 * {@code b} still listens), then {@code b} (SIGTERM by pid, SIGKILL after 10 s). When {@code TOPO_STATE}
 * is set (scripts/lab.sh exports it), {@code b}'s pid is also recorded there as {@code lab-gb-gateway},
 * so that {@code scripts/lab.sh down} stops it should this JVM die without closing.
 */
public final class LabDataPath implements DataPathLauncher {
    static final String OWN_NAMESPACE = "lab-ga";
    static final String PEER_NAMESPACE = "lab-gb";
    /** Gateway B's black address in the lab topology. */
    static final String PEER_ADDRESS = "10.201.0.2";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Path stateDirectory;

    public LabDataPath(Path stateDirectory) {
        this.stateDirectory = stateDirectory;
    }

    @Override
    public RunningGateways start(GatewayConfig config) throws InterruptedException {
        String namespace = currentNamespace();
        if (!OWN_NAMESPACE.equals(namespace)) {
            throw new IllegalStateException("the lab profile runs inside network namespace " + OWN_NAMESPACE
                    + " (this JVM is in " + (namespace.isEmpty() ? "the host's" : namespace)
                    + "): start it with sudo scripts/lab.sh console");
        }
        Peer peer = Peer.start(mirror(config), stateDirectory);
        try {
            RunningGateways a = new TunDataPath().start(config);
            return new Running(a, peer);
        } catch (RuntimeException | InterruptedException e) {
            peer.stop();
            throw e;
        }
    }

    /** The network namespace this process runs in ({@code ip netns identify}), empty for none named. */
    private static String currentNamespace() throws InterruptedException {
        try {
            Process process = new ProcessBuilder("ip", "netns", "identify")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ip netns identify: " + e.getMessage(), e);
        }
    }

    /** Gateway {@code b}'s configuration file (GatewayMain's YAML), mirrored from {@code a}'s. */
    static String mirror(GatewayConfig a) {
        List<ConnectionConfig> mirrored = new ArrayList<>();
        for (ConnectionConfig c : a.connections()) {
            if (c.remoteAddress().equals(PEER_ADDRESS)) {
                mirrored.add(c);
            }
        }
        if (mirrored.isEmpty()) {
            throw new IllegalStateException(
                    "the lab profile needs a connection to gateway b (remote-address: " + PEER_ADDRESS + ")");
        }
        StringBuilder y = new StringBuilder();
        y.append("# Gateway b of the lab, mirrored from the appliance's gateway a at start-up.\n");
        y.append("gateway:\n");
        y.append("  lanes:\n");
        if (!a.lanes().cpus().isEmpty()) {
            y.append("    cpus: ").append(a.lanes().cpus()).append('\n');
        }
        y.append("    transport: ")
                .append(a.lanes().transport().name().toLowerCase())
                .append('\n');
        y.append("  black:\n");
        y.append("    address: ").append(PEER_ADDRESS).append('\n');
        y.append("    port: ").append(a.black().port()).append('\n');
        y.append("  red:\n");
        y.append("    tun-name: ")
                .append(a.red().tunName() == null ? "ipsecgw0" : a.red().tunName())
                .append('\n');
        y.append("  ike:\n");
        y.append("    port: ").append(a.ike().port()).append('\n');
        y.append("  connections:\n");
        for (ConnectionConfig c : mirrored) {
            if (c.psk() == null) {
                throw new IllegalStateException(
                        "the lab's gateway b mirrors PSK connections only; '" + c.name() + "' has none");
            }
            y.append("    - name: ")
                    .append(quote(DemoDataPath.mirroredName(c.name())))
                    .append('\n');
            y.append("      remote-address: ").append(a.black().address()).append('\n');
            y.append("      remote-port: ").append(a.ike().port()).append('\n');
            y.append("      local-id: ").append(quote(c.remoteId())).append('\n');
            y.append("      remote-id: ")
                    .append(quote(c.localId() == null ? a.black().address() : c.localId()))
                    .append('\n');
            y.append("      local-ts: ").append(list(c.remoteTs())).append('\n');
            y.append("      remote-ts: ").append(list(c.localTs())).append('\n');
            y.append("      psk: \"0x")
                    .append(HexFormat.of().formatHex(c.psk().bytes()))
                    .append("\"\n");
            y.append("      per-cpu-sas: ").append(c.perCpuSas()).append('\n');
            y.append("      multiport: ").append(c.multiport()).append('\n');
            y.append("      start-action: none\n");
        }
        return y.toString();
    }

    private static String list(List<String> values) {
        return values.stream().map(LabDataPath::quote).toList().toString();
    }

    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Gateway {@code b}: a GatewayMain child process in {@value #PEER_NAMESPACE}. */
    record Peer(Process process, Path log, Path status) {
        static Peer start(String yaml, Path directory) throws InterruptedException {
            Path config = directory.resolve("lab-gb.yml");
            Path log = directory.resolve("lab-gb.log");
            Path status = directory.resolve("lab-gb.status");
            Process process;
            try {
                Files.createDirectories(directory);
                Files.deleteIfExists(config);
                Files.deleteIfExists(status);
                // The PSK is in it: readable by root only.
                Files.createFile(
                        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(config, yaml);
                List<String> command = new ArrayList<>(List.of(
                        "ip",
                        "netns",
                        "exec",
                        PEER_NAMESPACE,
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-XX:+UseParallelGC"));
                command.addAll(mainClass("net.ipsecgw.core.GatewayMain"));
                command.addAll(List.of(config.toString(), "--status", status.toString()));
                process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the lab's gateway b: " + e.getMessage(), e);
            }
            Peer peer = new Peer(process, log, status);
            peer.track();
            peer.awaitUp();
            return peer;
        }

        /**
         * The java arguments that run {@code mainClass} from this JVM's class path: directly, or through
         * Spring Boot's PropertiesLauncher when this JVM runs from the executable jar.
         */
        private static List<String> mainClass(String mainClass) {
            String classPath = System.getProperty("java.class.path");
            if (!classPath.contains(File.pathSeparator) && classPath.endsWith(".jar")) {
                return List.of(
                        "-cp",
                        classPath,
                        "-Dloader.main=" + mainClass,
                        "org.springframework.boot.loader.launch.PropertiesLauncher");
            }
            return List.of("-cp", classPath, mainClass);
        }

        /** Records the pid as benchmarks/lib/topology.sh's topo_track does, when scripts/lab.sh runs us. */
        private void track() {
            String topoState = System.getenv("TOPO_STATE");
            if (topoState == null || topoState.isBlank()) {
                return;
            }
            try {
                long pid = process.pid();
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
                Path pids = Path.of(topoState, "pids");
                Files.createDirectories(pids);
                Files.writeString(pids.resolve("lab-gb-gateway"), pid + " " + fields[19] + "\n");
            } catch (IOException | RuntimeException e) {
                // Only a safety net for scripts/lab.sh down; closing stops the process anyway.
            }
        }

        private void awaitUp() throws InterruptedException {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (logText().contains("gateway up")) {
                    return;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("the lab's gateway b exited (status " + process.exitValue()
                            + ") before it was up; " + log + ": " + tail());
                }
                Thread.sleep(100);
            }
            stop();
            throw new IllegalStateException(
                    "the lab's gateway b was not up after " + START_TIMEOUT.toSeconds() + " s; " + log + ": " + tail());
        }

        private String logText() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }

        private String tail() {
            List<String> lines = logText().lines().toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }

        /** SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}. */
        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            String topoState = System.getenv("TOPO_STATE");
            if (topoState != null && !topoState.isBlank()) {
                try {
                    Files.deleteIfExists(Path.of(topoState, "pids", "lab-gb-gateway"));
                } catch (IOException e) {
                    // scripts/lab.sh down finds the process gone
                }
            }
        }
    }

    private record Running(RunningGateways a, Peer b) implements RunningGateways {
        @Override
        public List<Member> gateways() {
            return a.gateways();
        }

        @Override
        public IkeControl ike() {
            return a.ike();
        }

        @Override
        public String describe() {
            return "lab: gateway a in " + OWN_NAMESPACE + ": " + a.describe() + "; gateway b in " + PEER_NAMESPACE
                    + " (pid " + b.process().pid() + ", log " + b.log() + ", status " + b.status() + ")";
        }

        @Override
        public void close() {
            try {
                a.close(); // a first: it tells b that its IKE SAs are gone while b still listens
            } finally {
                b.stop();
            }
        }
    }
}
