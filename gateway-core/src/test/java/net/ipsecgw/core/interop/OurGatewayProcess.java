package net.ipsecgw.core.interop;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Our gateway as a separate process in a gateway namespace of an {@link InteropLab}, running one
 * IKEv2 connection rendered from a {@link ConnectionSpec} into {@code gateway.connections[0]} of the
 * YAML file it reads ({@code net.ipsecgw.core.GatewayMain <config.yml> --status <file>}, as
 * {@code benchmarks/lib/ipsecgw.sh} starts it). The JVM is this test's own java; the classpath is this
 * test's without the test classes. Recorded by pid as {@code ours-<role>}, so the lab's teardown stops
 * it if {@link #close()} is not reached.
 *
 * <p>Files in the lab's state directory: {@code ours-<role>.yml}, {@code .log} (stdout and stderr),
 * {@code .status} (rewritten every second). Used from the test thread only.
 */
public final class OurGatewayProcess implements AutoCloseable {
    private static final Pattern SOURCE_PORTS = Pattern.compile("source ports \\[([0-9, ]*)]");

    /**
     * How the gateway runs.
     *
     * @param cpus one lane per CPU listed
     * @param transport the lanes' transport ({@code epoll} or {@code io_uring})
     * @param retransmitTimeout the first IKE retransmission timeout ({@code gateway.ike.retransmit-timeout})
     * @param retransmitTries IKE retransmissions before giving up ({@code gateway.ike.retransmit-tries})
     * @param javaOptions extra JVM options
     * @param keepalive the NAT keepalive interval ({@code gateway.black.keepalive}), or null for the default
     */
    public record Options(
            List<Integer> cpus,
            String transport,
            Duration retransmitTimeout,
            int retransmitTries,
            List<String> javaOptions,
            Duration keepalive) {
        /** Two lanes on CPUs 0 and 1, epoll, the IKE settings' defaults (4 s, 5 tries). */
        public static Options defaults() {
            return new Options(List.of(0, 1), "epoll", Duration.ofSeconds(4), 5, List.of(), null);
        }

        public Options withRetransmit(Duration timeout, int tries) {
            return new Options(cpus, transport, timeout, tries, javaOptions, keepalive);
        }

        /** These options with one lane on each CPU of {@code value}. */
        public Options withCpus(List<Integer> value) {
            return new Options(value, transport, retransmitTimeout, retransmitTries, javaOptions, keepalive);
        }

        /** These options with the lanes on {@code value} ({@code epoll} or {@code io_uring}). */
        public Options withTransport(String value) {
            return new Options(cpus, value, retransmitTimeout, retransmitTries, javaOptions, keepalive);
        }

        /** These options with a NAT keepalive every {@code value}. */
        public Options withKeepalive(Duration value) {
            return new Options(cpus, transport, retransmitTimeout, retransmitTries, javaOptions, value);
        }
    }

    private final InteropLab lab;
    private final String role;
    private final String name;
    private final ConnectionSpec spec;
    private boolean running;

    private OurGatewayProcess(InteropLab lab, String role, ConnectionSpec spec) {
        this.lab = lab;
        this.role = role;
        this.name = "ours-" + role;
        this.spec = spec;
    }

    /** {@link #start(InteropLab, String, ConnectionSpec, Options)} with default options. */
    public static OurGatewayProcess start(InteropLab lab, String role, ConnectionSpec spec) {
        return start(lab, role, spec, Options.defaults());
    }

    /**
     * Writes the configuration, starts the gateway in namespace {@code role} ({@code ga} or
     * {@code gb}) and waits (at most 60 s) until it logs "gateway up". On failure it is stopped and the
     * failure thrown with its log.
     */
    public static OurGatewayProcess start(InteropLab lab, String role, ConnectionSpec spec, Options options) {
        OurGatewayProcess gateway = new OurGatewayProcess(lab, role, spec);
        try {
            Files.writeString(gateway.configFile(), yaml(spec, options));
            Files.deleteIfExists(gateway.logFile());
            // An earlier gateway of this role left its last status: read before this one writes its
            // first, it would say "established" about SAs that no longer exist.
            Files.deleteIfExists(gateway.statusFile());
            List<String> command = new ArrayList<>(List.of(javaExecutable(), "--enable-native-access=ALL-UNNAMED"));
            command.addAll(options.javaOptions());
            command.addAll(List.of(
                    "-cp",
                    runClasspath(),
                    "net.ipsecgw.core.GatewayMain",
                    gateway.configFile().toString(),
                    "--status",
                    gateway.statusFile().toString()));
            // Through sh, so that stdout and stderr land in the log file; sh and ip netns exec exec, so
            // the recorded pid is the JVM's own.
            List<String> full =
                    new ArrayList<>(List.of("sh", "-c", "exec \"$@\" >" + gateway.logFile() + " 2>&1", "sh"));
            full.addAll(command);
            gateway.running = true;
            lab.start(gateway.name, role, full.toArray(String[]::new));
            gateway.awaitUp(Duration.ofSeconds(60));
            return gateway;
        } catch (IOException e) {
            gateway.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            String log = gateway.log();
            gateway.close();
            throw new IllegalStateException(e.getMessage() + "\ngateway log:\n" + InteropLab.tail(log, 40), e);
        }
    }

    /**
     * The gateway's YAML configuration for {@code spec}: lanes, black address (a random port key), the
     * TUN device and the connection. Never has manual tunnels.
     */
    public static String yaml(ConnectionSpec spec, Options options) {
        byte[] portKey = new byte[16];
        new SecureRandom().nextBytes(portKey);
        StringBuilder y = new StringBuilder("# Written by OurGatewayProcess for an interop test.\ngateway:\n");
        y.append("  lanes:\n    cpus: ").append(options.cpus()).append('\n');
        y.append("    transport: ").append(options.transport()).append('\n');
        y.append("  black:\n    address: ").append(spec.localAddress()).append('\n');
        y.append("    port-key: \"").append(HexFormat.of().formatHex(portKey)).append("\"\n");
        if (options.keepalive() != null) {
            y.append("    keepalive: ").append(options.keepalive().toMillis()).append("ms\n");
        }
        y.append("  red:\n    tun-name: ipsecgw0\n");
        y.append("  ike:\n    retransmit-timeout: ")
                .append(options.retransmitTimeout().toMillis())
                .append("ms\n");
        y.append("    retransmit-tries: ").append(options.retransmitTries()).append('\n');
        y.append("  connections:\n    - name: ").append(spec.name()).append('\n');
        Map<String, String> c = connection(spec);
        c.forEach((key, value) ->
                y.append("      ").append(key).append(": ").append(value).append('\n'));
        return y.toString();
    }

    private static Map<String, String> connection(ConnectionSpec spec) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("remote-address", spec.remoteAddress());
        c.put("local-id", quoted(spec.localId()));
        c.put("remote-id", quoted(spec.remoteId()));
        switch (spec.auth()) {
            case ConnectionSpec.Psk(String secret) -> {
                c.put("auth", "psk");
                c.put("psk", quoted(secret));
            }
            case ConnectionSpec.Certificates(Path ca, Path certificate, Path key) -> {
                c.put("auth", "pubkey");
                c.put("certificate", quoted(certificate.toString()));
                c.put("private-key", quoted(key.toString()));
                c.put("ca-certificates", "[" + quoted(ca.toString()) + "]");
            }
        }
        c.put("ike-proposals", "[" + spec.ikeProposal() + "]");
        c.put("esp-proposals", "[" + spec.espProposal() + "]");
        c.put("local-ts", "[" + String.join(", ", spec.localTs()) + "]");
        c.put("remote-ts", "[" + String.join(", ", spec.remoteTs()) + "]");
        c.put("ike-rekey-time", spec.ikeRekeyTime().toSeconds() + "s");
        c.put("child-rekey-time", spec.childRekeyTime().toSeconds() + "s");
        if (!spec.childLifeTime().isZero()) {
            c.put("child-life-time", spec.childLifeTime().toSeconds() + "s");
        }
        boolean dpd = spec.dpdAction() != ConnectionSpec.DpdAction.NONE;
        c.put("dpd-delay", (dpd ? spec.dpdDelay().toSeconds() : 0) + "s");
        if (dpd) {
            c.put("dpd-action", spec.dpdAction().name().toLowerCase(Locale.ROOT));
        }
        c.put(
                "start-action",
                switch (spec.startAction()) {
                    case NONE -> "none";
                    case START -> "initiate";
                    case TRAP -> "trap";
                });
        // per-cpu-sas and multiport stay at their defaults (on): against a peer that knows neither,
        // the gateway must fall back to one SA pair between the NAT-T ports by itself.
        return c;
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElseGet(() -> Path.of(
                        System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    /** This test JVM's classpath without its test classes and test runner jars. */
    static String runClasspath() {
        List<String> entries = Arrays.stream(
                        System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .filter(entry -> !entry.endsWith("test-classes"))
                .filter(entry -> !Path.of(entry).getFileName().toString().matches("(surefire|failsafe).*"))
                .distinct()
                .toList();
        if (entries.stream().noneMatch(e -> e.contains("netty-transport"))) {
            throw new IllegalStateException(
                    "the test classpath has no Netty jars: " + System.getProperty("java.class.path"));
        }
        return entries.stream().collect(Collectors.joining(File.pathSeparator));
    }

    private Path configFile() {
        return lab.state().resolve(name + ".yml");
    }

    private Path logFile() {
        return lab.state().resolve(name + ".log");
    }

    /** The status file (rewritten every second while the gateway runs). */
    public Path statusFile() {
        return lab.state().resolve(name + ".status");
    }

    /**
     * The status as written after {@code since}: waits (at most 5 s) for the once-a-second status write
     * that follows it, so that its counters include everything processed before {@code since}.
     */
    public String statusAfter(Instant since) {
        Path file = statusFile();
        await(Duration.ofSeconds(5), "rewriting its status after " + since, () -> {
            try {
                return Files.exists(file)
                        && !Files.getLastModifiedTime(file).toInstant().isBefore(since.plusMillis(20));
            } catch (IOException e) {
                return false;
            }
        });
        return status();
    }

    /**
     * The per-lane encapsulation source ports the gateway announced when it came up ({@code gateway up:
     * ..., source ports [..]}); empty without multiport sockets.
     */
    public List<Integer> sourcePorts() {
        Matcher m = SOURCE_PORTS.matcher(log());
        if (!m.find()) {
            throw new IllegalStateException("no 'source ports [..]' in the log of " + name + ":\n" + log());
        }
        return Arrays.stream(m.group(1).split(",\\s*"))
                .filter(port -> !port.isBlank())
                .map(port -> Integer.parseInt(port.strip()))
                .toList();
    }

    /** The connection this gateway runs. */
    public ConnectionSpec spec() {
        return spec;
    }

    /** Waits until the gateway logged "gateway up"; throws with its log if it exits or takes too long. */
    public OurGatewayProcess awaitUp(Duration timeout) {
        await(timeout, "up", () -> {
            if (!alive()) {
                throw new AssertionError("our gateway in " + lab.ns(role) + " exited:\n" + log());
            }
            return log().contains("gateway up");
        });
        return this;
    }

    /** Polls {@code condition} every 100 ms until it holds; throws with the status and the log's tail. */
    public void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("our gateway in " + lab.ns(role) + ": not " + what + " within " + timeout
                        + "\nstatus:\n" + status() + "log (last 40 lines):\n" + InteropLab.tail(log(), 40));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The status file as last written (lanes, SAs with their counters). */
    public String status() {
        return InteropLab.read(statusFile());
    }

    /**
     * The SA lines of the status file in direction {@code in} or {@code out} ({@code out-fallback}
     * too), each as its {@code key=value} words.
     */
    public List<Map<String, String>> statusSas(String direction) {
        List<Map<String, String>> sas = new ArrayList<>();
        for (String line : status().lines().toList()) {
            Map<String, String> words = new LinkedHashMap<>();
            for (String word : line.strip().split("\\s+")) {
                int eq = word.indexOf('=');
                if (eq > 0) {
                    words.put(word.substring(0, eq), word.substring(eq + 1));
                }
            }
            if (words.getOrDefault("sa", "").startsWith(direction)) {
                sas.add(words);
            }
        }
        return sas;
    }

    /** The gateway's output. */
    public String log() {
        return InteropLab.read(logFile());
    }

    /** Whether the process runs. */
    public boolean alive() {
        return lab.trackedPid(name) > 0;
    }

    /** SIGKILL: the gateway sends nothing more (no DELETE), so the peer's DPD must notice. */
    public void kill9() {
        long pid = lab.trackedPid(name);
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            await(Duration.ofSeconds(10), "dead after SIGKILL", () -> lab.trackedPid(name) < 0);
        }
        running = false;
    }

    /** SIGTERM: the gateway deletes its IKE SAs with the peer, then exits (KILL after 10 s). Idempotent. */
    public void stop() {
        if (running) {
            running = false;
            lab.stop(name);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("cannot stop our gateway " + name + ": " + e);
        }
    }

    @Override
    public String toString() {
        return "OurGatewayProcess[" + lab.ns(role) + ", " + spec + "]";
    }
}
