package net.ipsecgw.core.interop;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.ipsecgw.testing.Privileges;

/**
 * The bare lab topology ({@code benchmarks/lib/topology.sh}: red host A, gateway A, gateway B, red
 * host B, addresses 10.201.x.x) with nothing running on it, for the interop tests to put a {@link
 * StrongSwanPeer} or an {@link OurGatewayProcess} on each gateway. Runs commands in the namespaces
 * and scripts with the lab's shell libraries sourced.
 *
 * <p>Everything started in it is recorded by pid ({@code topo_track}); {@link #close()} (also run by a
 * shutdown hook) copies the state directory's files to {@code gateway-core/target/interop/<prefix>/},
 * stops those processes and deletes the namespaces. Used from the test thread only.
 */
public final class InteropLab implements AutoCloseable {
    /** Lab addresses (see topology.sh). */
    public static final String HOST_A = "10.201.1.2";

    public static final String HOST_B = "10.201.2.2";
    public static final String BLACK_A = "10.201.0.1";
    public static final String BLACK_B = "10.201.0.2";
    public static final String RED_A_NET = "10.201.1.0/24";
    public static final String RED_B_NET = "10.201.2.0/24";

    private static final Pattern PING_RECEIVED = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private final String prefix;
    private final Path root;
    private final Path state;
    private final Path work;
    private final Thread shutdownHook = new Thread(this::closeQuietly, "interop-lab-teardown");
    private boolean open = true;

    private InteropLab(String prefix, Path root, Path state, Path work) {
        this.prefix = prefix;
        this.root = root;
        this.state = state;
        this.work = work;
    }

    /**
     * Skips (or, under CI, fails) {@code what} unless this process is root and has the lab's tools:
     * iproute2, ping, iperf3 and tcpdump.
     */
    public static void requireLab(String what) {
        Privileges.requireRoot(what);
        Privileges.requireProgram("ip", "iproute2");
        Privileges.requireProgram("ping", "iputils-ping");
        Privileges.requireProgram("iperf3", "iperf3");
        Privileges.requireProgram("tcpdump", "tcpdump");
    }

    /**
     * Builds topology {@code prefix} (deleting one a killed run left behind); on failure nothing is left.
     *
     * @param prefix at most 31 letters, digits, '_', '.', '-'; unique per test class and JVM
     */
    public static InteropLab start(String prefix) {
        return start(prefix, "interop");
    }

    /** As {@link #start(String)}, keeping its files under {@code gateway-core/target/<area>/<prefix>}. */
    public static InteropLab start(String prefix, String area) {
        Path root = repositoryRoot();
        Path work = root.resolve("gateway-core/target/" + area + "/" + prefix);
        try {
            deleteRecursively(work);
            Files.createDirectories(work.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String stateRoot = System.getenv("TOPO_STATE_ROOT"); // as topology.sh: ${TOPO_STATE_ROOT:-/tmp}
        Path state = Path.of(stateRoot == null || stateRoot.isEmpty() ? "/tmp" : stateRoot, "ipsecgw-topo-" + prefix);
        InteropLab lab = new InteropLab(prefix, root, state, work);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.sh(Duration.ofSeconds(60), "topo_down \"$P\" >/dev/null 2>&1; topo_up \"$P\"")
                    .orThrow("topo_up");
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /** A prefix for one test class: two letters and this JVM's pid, so parallel builds do not collide. */
    public static String prefix(String letters) {
        return letters + ProcessHandle.current().pid() % 100_000;
    }

    /** The directory holding {@code gw} (the repository root), found from the working directory up. */
    public static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("gw")) && Files.isDirectory(d.resolve("benchmarks/lib"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root (a directory with gw and benchmarks/lib) above " + dir);
    }

    /** The topology's prefix. */
    public String prefix() {
        return prefix;
    }

    /** The name of namespace {@code role}: {@code ha}, {@code ga}, {@code gb} or {@code hb}. */
    public String ns(String role) {
        return prefix + "-" + role;
    }

    /** The topology's state directory (deleted by {@link #close()} after its files are copied). */
    public Path state() {
        return state;
    }

    /** {@code gateway-core/target/interop/<prefix>}: outlives the teardown. */
    public Path work() {
        return work;
    }

    /** The repository root. */
    public Path root() {
        return root;
    }

    /**
     * Runs {@code script} in bash from the repository root with topology.sh, strongswan.sh,
     * ipsecgw.sh and traffic.sh sourced, {@code P} set to the prefix and the TOPO_* variables set.
     */
    public Result sh(Duration timeout, String script) {
        return sh(timeout, Map.of(), script);
    }

    /** {@link #sh(Duration, String)} with extra environment variables. */
    public Result sh(Duration timeout, Map<String, String> env, String script) {
        String full = ". benchmarks/lib/topology.sh && . benchmarks/lib/strongswan.sh && . benchmarks/lib/ipsecgw.sh"
                + " && . benchmarks/lib/traffic.sh"
                + " && P=" + prefix + " && topo_vars \"$P\" && { " + script + "\n}";
        return run(timeout, env, List.of("bash", "-c", full));
    }

    /** Runs {@code command} in namespace {@code role} to completion. */
    public Result inNs(Duration timeout, String role, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        full.addAll(List.of(command));
        return run(timeout, Map.of(), full);
    }

    /** Runs {@code command} to completion, killing it (and what it started) after {@code timeout}. */
    public Result run(Duration timeout, Map<String, String> env, List<String> command) {
        return background(null, env, command).await(timeout);
    }

    /**
     * Starts {@code command} in namespace {@code role} without waiting, recorded as {@code name} so
     * that the teardown stops it if the test does not.
     */
    public Background start(String name, String role, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        full.addAll(List.of(command));
        Background process = background(name, Map.of(), full);
        sh(Duration.ofSeconds(10), "topo_track \"$P\" " + name + " " + process.pid())
                .orThrow("topo_track");
        return process;
    }

    /** Stops the process recorded as {@code name} (TERM, then KILL after 10 s); nothing if it is gone. */
    public void stop(String name) {
        sh(Duration.ofSeconds(30), "topo_kill \"$P\" " + name).orThrow("topo_kill " + name);
    }

    /** The pid of the process recorded as {@code name}, or -1 when it does not run. */
    public long trackedPid(String name) {
        Result r = sh(Duration.ofSeconds(10), "topo_tracked_pid \"$P\" " + name);
        return r.succeeded() ? Long.parseLong(r.stdout().strip()) : -1;
    }

    /**
     * Pings {@code address} from namespace {@code role}: {@code count} echo requests {@code interval}
     * apart, replies awaited until a deadline (ping then sends again while replies are late). Returns
     * how many were answered, at most {@code count}.
     */
    public int ping(String role, String address, int count, Duration interval) {
        Result r = inNs(
                Duration.ofSeconds(10).plus(interval.multipliedBy(count)),
                role,
                "ping",
                "-n",
                "-q",
                "-c",
                String.valueOf(count),
                "-i",
                String.format("%.3f", interval.toMillis() / 1000.0),
                "-W",
                "2",
                // Wait for late replies until a deadline: without it ping stops two RTTs after the last
                // request, and a reply delayed on a loaded machine counts as lost.
                "-w",
                String.valueOf(interval.multipliedBy(count).toSeconds() + 5),
                address);
        return Math.min(count, received(r));
    }

    /** Starts a ping from {@code role} to {@code address} that runs until {@code count} are sent. */
    public Background startPing(String name, String role, String address, int count, Duration interval) {
        return start(
                name,
                role,
                "ping",
                "-n",
                "-q",
                "-c",
                String.valueOf(count),
                "-i",
                String.format("%.3f", interval.toMillis() / 1000.0),
                "-W",
                "2",
                address);
    }

    /** Echo replies counted in ping's summary; -1 when there is none. */
    public static int received(Result ping) {
        Matcher m = PING_RECEIVED.matcher(ping.stdout());
        return m.find() ? Integer.parseInt(m.group(2)) : -1;
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

    /** Stops what was recorded, keeps the state directory's files, deletes the topology. Idempotent. */
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
        // Stop every recorded process first (their last log lines), then copy, then delete.
        Result kill = sh(
                Duration.ofSeconds(120),
                "for f in \"$TOPO_STATE\"/pids/*; do [ -e \"$f\" ] && topo_kill \"$P\" \"$(basename \"$f\")\"; done; true");
        keepArtifacts();
        Result down = sh(Duration.ofSeconds(60), "topo_down \"$P\"");
        if (!kill.succeeded() || !down.succeeded()) {
            System.err.println("teardown of " + prefix + ": " + kill + "\n" + down);
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
        if (!Files.isDirectory(state)) {
            return;
        }
        try (Stream<Path> files = Files.walk(state)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path relative = state.relativize(file);
                if (relative.startsWith("pids") || file.getFileName().toString().endsWith(".vici")) {
                    continue;
                }
                Path target = work.resolve(relative);
                Files.createDirectories(target.getParent());
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("cannot keep the lab's files: " + e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
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

    /** The last {@code lines} lines of {@code text}. */
    public static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    public static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file.getFileName() + ")\n";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")\n";
        }
    }

    /** A started command. */
    public static final class Background {
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

        /** The process id. */
        public long pid() {
            return process.pid();
        }

        /** Whether it still runs. */
        public boolean alive() {
            return process.isAlive();
        }

        /** Waits for the command; kills it and its children after {@code timeout}, then throws. */
        public Result await(Duration timeout) {
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
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** True when it exited with 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** This result when the command succeeded; otherwise throws with its output. */
        public Result orThrow(String what) {
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
