package net.ipsecgw.core.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.ipsecgw.core.interop.InteropLab;
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
    private final InteropLab lab;
    private volatile boolean open = true;

    private LabPair(String prefix, InteropLab lab) {
        this.prefix = prefix;
        this.lab = lab;
    }

    /**
     * Skips (or, under CI, fails) {@code what} unless this process is root and has the tools the lab
     * uses: those of {@link InteropLab#requireLab} and openssl (keys).
     */
    static void requireLab(String what) {
        InteropLab.requireLab(what);
        Privileges.requireProgram("openssl", "openssl");
    }

    static LabPair start(String prefix, int lanes, String transport, String javaOptions) {
        return start(prefix, lanes, transport, javaOptions, false);
    }

    /**
     * Builds the topology {@code prefix} and starts our gateway pair on it: {@code lanes} lanes on
     * {@code transport}, extra JVM options {@code javaOptions} (may be empty), TUN offloads on or off.
     * Returns once host A pings host B through the tunnel; on any failure, everything is torn down
     * again and the failure thrown with the gateways' log tails.
     */
    static LabPair start(String prefix, int lanes, String transport, String javaOptions, boolean tunOffload) {
        InteropLab lab = InteropLab.start(prefix, "e2e");
        try {
            writeRunClasspath(lab.root());
            lab.sh(
                            Duration.ofSeconds(120),
                            Map.of("OURS_JAVA_OPTS", javaOptions, "OURS_OFFLOAD", String.valueOf(tunOffload)),
                            "ours_up \"$P\" " + lanes + " " + transport)
                    .orThrow("ours_up");
            return new LabPair(prefix, lab);
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
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
        return lab.ns(role);
    }

    /** The topology's state directory (gateway logs, status files; deleted by teardown). */
    Path state() {
        return lab.state();
    }

    /** A directory under {@code target/e2e/<prefix>} that outlives the teardown. */
    Path work() {
        return lab.work();
    }

    /** Runs {@code script} with the lab's shell libraries sourced (see {@link InteropLab#sh}). */
    InteropLab.Result sh(Duration timeout, String script) {
        return lab.sh(timeout, script);
    }

    /** Runs {@code command} in namespace {@code role}. */
    InteropLab.Result inNs(Duration timeout, String role, String... command) {
        return lab.inNs(timeout, role, command);
    }

    /** Runs {@code command} to completion, killing it after {@code timeout}. */
    InteropLab.Result run(Duration timeout, Map<String, String> env, List<String> command) {
        return lab.run(timeout, env, command);
    }

    /** Starts {@code command} in namespace {@code role}, recorded as {@code name} for the teardown. */
    InteropLab.Background start(String name, String role, String... command) {
        return lab.start(name, role, command);
    }

    /** Whether the gateway in {@code side} ({@code ga} or {@code gb}) still runs. */
    boolean gatewayAlive(String side) {
        return sh(Duration.ofSeconds(10), "topo_tracked_pid \"$P\" ours-" + side + " >/dev/null")
                .succeeded();
    }

    /** The gateway's pid, or -1 when it does not run. */
    long gatewayPid(String side) {
        InteropLab.Result r = sh(Duration.ofSeconds(10), "topo_tracked_pid \"$P\" ours-" + side);
        return r.succeeded() ? Long.parseLong(r.stdout().strip()) : -1;
    }

    /**
     * The gateway's status as written after {@code since}: waits (up to 5 s) for the once-a-second
     * status write that follows it, so the counters include everything processed before {@code since}.
     */
    GatewaySnapshot statusAfter(String side, Instant since) {
        Path file = state().resolve("ours-" + side + ".status");
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
        return InteropLab.read(state().resolve("ours-" + side + ".log"));
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
                    .append(InteropLab.read(state().resolve("ours-" + side + ".status")))
                    .append("log (last 40 lines):\n")
                    .append(InteropLab.tail(InteropLab.read(state().resolve("ours-" + side + ".log")), 40))
                    .append('\n');
        }
        return out.toString();
    }

    /** Stops the gateways (they print their final counters to their logs), keeps the logs, deletes the topology. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        InteropLab.Result down = lab.sh(Duration.ofSeconds(60), "ours_down \"$P\"");
        if (!down.succeeded()) {
            System.err.println("teardown of " + prefix + ": " + down);
        }
        lab.close();
    }
}
