package net.ipsecgw.core.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.ipsecgw.testing.Privileges;

/**
 * One lab topology (four network namespaces, {@code benchmarks/lib/topology.sh}) with our gateway
 * pair on it ({@code benchmarks/lib/ipsecgw.sh}), driven through those shell libraries so that the
 * tests exercise the same scripts as the benchmarks. Also runs commands in the namespaces and reads
 * the gateways' status files and logs.
 *
 * <p>Everything it starts is recorded by pid ({@code topo_track}); {@link #close()} (also run by a
 * shutdown hook) stops the gateways, then deletes the namespaces. Logs, status files and captures are
 * copied to {@code target/e2e/<prefix>/} first, for a look after a failure.
 */
final class LabPair implements AutoCloseable {
    /** Lab addresses (see topology.sh): red hosts A and B, then the gateways' black sides. */
    static final String HOST_A = "10.201.1.2";

    static final String HOST_B = "10.201.2.2";
    static final String BLACK_A = "10.201.0.1";
    static final String BLACK_B = "10.201.0.2";

    private static final Pattern SOURCE_PORTS = Pattern.compile("source ports \\[([0-9, ]*)]");

    private final String prefix;
    private final Path root;
    private final Path state;
    private final Path work;
    private final Thread shutdownHook = new Thread(this::closeQuietly, "lab-teardown");
    private volatile boolean open = true;

    private LabPair(String prefix, Path root, Path state, Path work) {
        this.prefix = prefix;
        this.root = root;
        this.state = state;
        this.work = work;
    }

    /**
     * Builds the topology {@code prefix} and starts our gateway pair on it: {@code lanes} lanes on
     * {@code transport}, extra JVM options {@code javaOptions} (may be empty). Returns once host A
     * pings host B through the tunnel; on any failure, everything is torn down again and the failure
     * thrown with the gateways' log tails.
     */
    /**
     * Skips (or, under CI, fails) {@code what} unless this process is root and has the tools the lab
     * uses: iproute2, ping, openssl (keys), iperf3 and tcpdump.
     */
    static void requireLab(String what) {
        Privileges.requireRoot(what);
        Privileges.requireProgram("ip", "iproute2");
        Privileges.requireProgram("ping", "iputils-ping");
        Privileges.requireProgram("openssl", "openssl");
        Privileges.requireProgram("iperf3", "iperf3");
        Privileges.requireProgram("tcpdump", "tcpdump");
    }

    static LabPair start(String prefix, int lanes, String transport, String javaOptions) {
        return start(prefix, lanes, transport, javaOptions, false);
    }

    /** As {@link #start(String, int, String, String)}, with the gateways' TUN offloads on or off. */
    static LabPair start(String prefix, int lanes, String transport, String javaOptions, boolean tunOffload) {
        Path root = repositoryRoot();
        Path work = root.resolve("gateway-core/target/e2e/" + prefix);
        try {
            deleteRecursively(work);
            Files.createDirectories(work.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeRunClasspath(root);
        String stateRoot = System.getenv("TOPO_STATE_ROOT"); // as topology.sh: ${TOPO_STATE_ROOT:-/tmp}
        Path state = Path.of(stateRoot == null || stateRoot.isEmpty() ? "/tmp" : stateRoot, "ipsecgw-topo-" + prefix);
        LabPair lab = new LabPair(prefix, root, state, work);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            // A run killed before its teardown may have left this prefix's namespaces behind.
            lab.sh(Duration.ofSeconds(60), "topo_down \"$P\" >/dev/null 2>&1; topo_up \"$P\"")
                    .orThrow("topo_up");
            lab.sh(
                            Duration.ofSeconds(120),
                            Map.of("OURS_JAVA_OPTS", javaOptions, "OURS_OFFLOAD", String.valueOf(tunOffload)),
                            "ours_up \"$P\" " + lanes + " " + transport)
                    .orThrow("ours_up");
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /** The directory holding {@code gw} (the repository root), found from the working directory up. */
    static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("gw")) && Files.isDirectory(d.resolve("benchmarks/lib"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root (a directory with gw and benchmarks/lib) above " + dir);
    }

    /**
     * Writes {@code gateway-core/target/run-classpath.txt}, the gateway's dependency classpath that
     * {@code ours_up} puts after {@code target/classes}: this test JVM's classpath without this
     * module's own output (classes, test classes, its jar) and the test runner's booter jar. So the
     * scripts need no {@code mvn install} of the reactor: the dependencies are whatever this build
     * resolved (reactor jars in a full build, the local repository's otherwise).
     */
    static void writeRunClasspath(Path root) {
        Path target = root.resolve("gateway-core/target").toAbsolutePath().normalize();
        List<String> entries = Arrays.stream(
                        System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().normalize())
                .filter(path -> !path.startsWith(target))
                .filter(path -> !path.getFileName().toString().startsWith("surefire"))
                .filter(path -> path.toString().endsWith(".jar") ? Files.isRegularFile(path) : Files.isDirectory(path))
                .map(Path::toString)
                .distinct()
                .toList();
        if (entries.stream().noneMatch(e -> e.contains("netty-transport"))) {
            throw new IllegalStateException(
                    "the test classpath has no Netty jars: " + System.getProperty("java.class.path"));
        }
        try {
            Path file = target.resolve("run-classpath.txt");
            Path temporary = Files.createTempFile(target, "run-classpath", ".tmp");
            Files.writeString(temporary, String.join(File.pathSeparator, entries));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The name of namespace {@code role}: {@code ha}, {@code ga}, {@code gb} or {@code hb}. */
    String ns(String role) {
        return prefix + "-" + role;
    }

    /** The topology's state directory (gateway logs, status files; deleted by teardown). */
    Path state() {
        return state;
    }

    /** A directory under {@code target/e2e/<prefix>} that outlives the teardown. */
    Path work() {
        return work;
    }

    /**
     * Runs {@code script} in bash with the three libraries sourced, {@code P} set to the prefix and the
     * TOPO_* variables set, from the repository root.
     */
    Result sh(Duration timeout, String script) {
        return sh(timeout, Map.of(), script);
    }

    /** {@link #sh(Duration, String)} with extra environment variables. */
    Result sh(Duration timeout, Map<String, String> env, String script) {
        String full = ". benchmarks/lib/topology.sh && . benchmarks/lib/ipsecgw.sh && . benchmarks/lib/traffic.sh"
                + " && P=" + prefix + " && topo_vars \"$P\" && { " + script + "\n}";
        return run(timeout, env, List.of("bash", "-c", full));
    }

    /** Runs {@code command} in namespace {@code role} (see {@link #ns}). */
    Result inNs(Duration timeout, String role, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        full.addAll(List.of(command));
        return run(timeout, Map.of(), full);
    }

    /** Runs {@code command} to completion, killing it (and what it started) after {@code timeout}. */
    Result run(Duration timeout, Map<String, String> env, List<String> command) {
        Background process = background(null, env, command);
        return process.await(timeout);
    }

    /**
     * Starts {@code command} in namespace {@code role} without waiting, recorded as {@code name} so
     * that the teardown stops it if the test does not.
     */
    Background start(String name, String role, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        full.addAll(List.of(command));
        Background process = background(name, Map.of(), full);
        sh(Duration.ofSeconds(10), "topo_track \"$P\" " + name + " " + process.process.pid())
                .orThrow("topo_track");
        return process;
    }

    private Background background(String name, Map<String, String> env, List<String> command) {
        try {
            // Output goes to files, not pipes: a helper the command leaves running must not hold them.
            Path out = Files.createTempFile(work.resolve("tmp"), name == null ? "cmd" : name, ".out");
            Path err = Files.createTempFile(work.resolve("tmp"), name == null ? "cmd" : name, ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(root.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(env);
            builder.environment().merge("PATH", "/usr/sbin:/sbin", (a, b) -> a + ":" + b);
            return new Background(command, builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Whether the gateway in {@code side} ({@code ga} or {@code gb}) still runs. */
    boolean gatewayAlive(String side) {
        return sh(Duration.ofSeconds(10), "topo_tracked_pid \"$P\" ours-" + side + " >/dev/null")
                .succeeded();
    }

    /** The gateway's pid, or -1 when it does not run. */
    long gatewayPid(String side) {
        Result r = sh(Duration.ofSeconds(10), "topo_tracked_pid \"$P\" ours-" + side);
        return r.succeeded() ? Long.parseLong(r.stdout().strip()) : -1;
    }

    /**
     * The gateway's status as written after {@code since}: waits (up to 5 s) for the once-a-second
     * status write that follows it, so the counters include everything processed before {@code since}.
     */
    GatewaySnapshot statusAfter(String side, Instant since) {
        Path file = state.resolve("ours-" + side + ".status");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (Files.getLastModifiedTime(file).toInstant().isBefore(since.plusMillis(20))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the status file of " + side + " was not rewritten after " + since + " (gateway stuck?)");
                }
                Thread.sleep(50);
            }
            return GatewaySnapshot.parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The gateway's log (stdout and stderr). */
    String log(String side) {
        return read(state.resolve("ours-" + side + ".log"));
    }

    /** The per-lane encapsulation source ports the gateway announced in its log. */
    Set<Integer> sourcePorts(String side) {
        Matcher m = SOURCE_PORTS.matcher(log(side));
        if (!m.find()) {
            throw new IllegalStateException("no 'source ports [..]' in the log of " + side + ":\n" + log(side));
        }
        Set<Integer> ports = new LinkedHashSet<>();
        for (String port : m.group(1).split(",\\s*")) {
            if (!port.isBlank()) {
                ports.add(Integer.parseInt(port.strip()));
            }
        }
        return ports;
    }

    /** Status files and log tails of both gateways, for a failure message. */
    String diagnostics() {
        StringBuilder out = new StringBuilder("---- lab ").append(prefix).append(" ----\n");
        for (String side : List.of("ga", "gb")) {
            out.append("gateway ")
                    .append(side)
                    .append(open && gatewayAlive(side) ? " (running)" : " (not running)")
                    .append(", status:\n")
                    .append(read(state.resolve("ours-" + side + ".status")))
                    .append("log (last 40 lines):\n")
                    .append(tail(read(state.resolve("ours-" + side + ".log")), 40))
                    .append('\n');
        }
        return out.toString();
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file.getFileName() + ")\n";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")\n";
        }
    }

    /** Stops the gateways (they print their final counters to their logs), keeps the logs, deletes the topology. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        Result down = sh(Duration.ofSeconds(60), "ours_down \"$P\"");
        keepArtifacts();
        Result topo = sh(Duration.ofSeconds(60), "topo_down \"$P\"");
        if (!down.succeeded() || !topo.succeeded()) {
            System.err.println("teardown of " + prefix + ": " + down + "\n" + topo);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("teardown of " + prefix + " failed: " + e);
        }
    }

    private void keepArtifacts() {
        try (Stream<Path> files = Files.exists(state) ? Files.list(state) : Stream.empty()) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, work.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("cannot keep the lab's files: " + e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p :
                    all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A started command. */
    static final class Background {
        private final List<String> command;
        private final Process process;
        private final Path out;
        private final Path err;

        private Background(List<String> command, Process process, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        long pid() {
            return process.pid();
        }

        /** Waits for the command; kills it and its children after {@code timeout}, then throws. */
        Result await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                            + "; stdout: " + tail(read(out), 20) + "; stderr: " + tail(read(err), 20));
                }
                return new Result(command, process.exitValue(), read(out), read(err));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /**
     * A finished command.
     *
     * @param command what ran
     * @param exitCode its exit status
     * @param stdout its standard output
     * @param stderr its standard error
     */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        boolean succeeded() {
            return exitCode == 0;
        }

        /** This result when the command succeeded; otherwise throws with its output. */
        Result orThrow(String what) {
            if (!succeeded()) {
                throw new IllegalStateException(what + " failed (exit " + exitCode + ")\nstdout:\n" + tail(stdout, 40)
                        + "\nstderr:\n" + tail(stderr, 40));
            }
            return this;
        }

        @Override
        public String toString() {
            String shown = command.size() == 3 && command.get(0).equals("bash")
                    ? command.get(2).replaceFirst("(?s)^.*topo_vars \"\\$P\" && \\{ ", "")
                    : String.join(" ", command);
            return "[" + shown.strip() + "] exit " + exitCode + "\nstdout: " + tail(stdout, 30) + "\nstderr: "
                    + tail(stderr, 30);
        }
    }
}
