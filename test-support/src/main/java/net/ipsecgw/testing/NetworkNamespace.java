package net.ipsecgw.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A uniquely named network namespace for one test ({@code ip netns add gwt-<pid>-<n>}), with its
 * loopback up and nothing else: no default route, so traffic generated inside reaches only what the
 * test puts there (veth links to other test namespaces, TUN devices).
 *
 * <p>It runs commands inside ({@code ip netns exec}), starts processes inside and kills them by pid,
 * connects two namespaces with a {@link VethLink}, and runs Java code on a dedicated thread that has
 * entered the namespace with {@code setns(2)}: sockets and TUN devices created there belong to the
 * namespace. {@link #close()} kills what it started and deletes the namespace even after a failed
 * test; a shutdown hook closes what a crashed test left open, and namespaces left by a JVM that
 * died (its pid is gone) are deleted when the next one is created.
 *
 * <p>Thread-safe. Tasks given to {@link #call(Callable)} run one at a time on the namespace's thread.
 */
public final class NetworkNamespace implements AutoCloseable {
    private static final String PREFIX = "gwt-";
    private static final Pattern OWN_NAME = Pattern.compile(PREFIX + "(\\d+)-\\d+");
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final AtomicInteger LINKS = new AtomicInteger();
    private static final Set<NetworkNamespace> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean STALE_REMOVED = new AtomicBoolean();
    private static final Duration KILL_GRACE = Duration.ofSeconds(3);

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(() -> List.copyOf(LIVE).forEach(NetworkNamespace::closeQuietly), "netns-cleanup"));
    }

    private final String name;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExecutorService inside;
    private volatile RuntimeException enterFailure;

    private NetworkNamespace(String name) {
        this.name = name;
        this.inside = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(() -> enterThenRun(task), "netns-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Creates a new namespace with its loopback up. Needs root (check with {@link Privileges#requireRoot})
     * and {@code ip} from iproute2.
     */
    public static NetworkNamespace create() {
        if (STALE_REMOVED.compareAndSet(false, true)) {
            removeStale();
        }
        NetworkNamespace ns = new NetworkNamespace(PREFIX + PID + "-" + COUNTER.incrementAndGet());
        host("ip", "netns", "add", ns.name).orThrow();
        LIVE.add(ns);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (RuntimeException e) {
            closeQuietly(ns);
            throw e;
        }
        return ns;
    }

    /** The namespace's name, as {@code ip netns} knows it. */
    public String name() {
        return name;
    }

    /** The namespace's bind mount ({@code /run/netns/<name>}). */
    public Path path() {
        return Path.of("/run/netns", name);
    }

    /** Runs {@code command} inside the namespace and returns its result, whatever the exit code. */
    public CommandResult exec(String... command) {
        requireOpen();
        return host(inside(command));
    }

    /** Runs {@code command} inside the namespace; returns its standard output or throws on failure. */
    public String run(String... command) {
        return exec(command).orThrow().stdout();
    }

    /** Runs {@code ip <args>} against the namespace ({@code ip -n <name>}), throwing on failure. */
    public String ip(String... args) {
        requireOpen();
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return Commands.run(command, Commands.DEFAULT_TIMEOUT).orThrow().stdout();
    }

    /**
     * Starts {@code command} inside the namespace, its output discarded; {@link #close()} kills it if
     * the test did not. Use {@link #start(ProcessBuilder.Redirect, String...)} to keep the output.
     */
    public Process start(String... command) {
        return start(ProcessBuilder.Redirect.DISCARD, command);
    }

    /** Starts {@code command} inside the namespace, standard output and error going to {@code output}. */
    public Process start(ProcessBuilder.Redirect output, String... command) {
        requireOpen();
        try {
            Process process = new ProcessBuilder(inside(command))
                    .redirectOutput(output)
                    .redirectErrorStream(true)
                    .start();
            processes.add(process);
            return process;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", command) + " in " + name, e);
        }
    }

    /**
     * Kills a process this namespace started, by its pid: SIGTERM, then SIGKILL after a grace period.
     * {@code ip netns exec} execs the command, so the pid is the command's own.
     */
    public void kill(Process process) {
        if (!processes.remove(process)) {
            throw new IllegalArgumentException("process " + process.pid() + " was not started by " + name);
        }
        killByPid(process);
    }

    private static void killByPid(Process process) {
        Optional<ProcessHandle> handle = ProcessHandle.of(process.pid());
        handle.ifPresent(ProcessHandle::destroy);
        try {
            if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                handle.ifPresent(ProcessHandle::destroyForcibly);
                process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code task} on this namespace's own thread, which entered the namespace with {@code
     * setns(CLONE_NEWNET)}: sockets, TUN devices and netlink requests made there are the namespace's.
     * The result (or the task's exception) is returned (or thrown) to the caller.
     *
     * <p>A socket or device made there stays in the namespace when used from other threads. But a
     * thread started by the task inherits the namespace: start event loops and pools outside. Files
     * under {@code /proc/net} show the namespace of the process's main thread, not this thread's, so
     * JDK calls that read them (e.g. {@code NetworkInterface} for IPv6) still see the host.
     */
    public <T> T call(Callable<T> task) throws Exception {
        requireOpen();
        try {
            return inside.submit(() -> {
                        RuntimeException failure = enterFailure;
                        if (failure != null) {
                            throw new IllegalStateException("the thread could not enter " + name, failure);
                        }
                        return task.call();
                    })
                    .get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Connects this namespace to {@code other} with a veth pair, addressed from the next {@link
     * TestSubnet} ({@code first} here, {@code second} there) and brought up. The pair is created
     * directly inside the two namespaces: it never appears in the host namespace.
     */
    public VethLink connect(NetworkNamespace other) {
        requireOpen();
        int id = LINKS.incrementAndGet();
        String left = "gva" + id;
        String right = "gvb" + id;
        TestSubnet subnet = TestSubnet.next();
        ip("link", "add", left, "type", "veth", "peer", "name", right, "netns", other.name);
        ip("addr", "add", subnet.firstWithPrefix(), "dev", left);
        other.ip("addr", "add", subnet.secondWithPrefix(), "dev", right);
        ip("link", "set", left, "up");
        other.ip("link", "set", right, "up");
        return new VethLink(this, left, other, right, subnet);
    }

    /** True while the namespace exists (between {@link #create()} and {@link #close()}). */
    public boolean isOpen() {
        return !closed.get() && host("ip", "netns", "list").stdout().lines().anyMatch(this::isOwnEntry);
    }

    private boolean isOwnEntry(String line) {
        return line.equals(name) || line.startsWith(name + " ");
    }

    /**
     * Kills every process started here, stops the namespace's thread and deletes the namespace (its
     * interfaces, veth ends and TUN devices go with it once nothing holds them). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            List.copyOf(processes).forEach(NetworkNamespace::killByPid);
            processes.clear();
            inside.shutdownNow();
            awaitTermination();
            host("ip", "netns", "del", name).orThrow();
        } finally {
            LIVE.remove(this);
        }
    }

    private void awaitTermination() {
        try {
            if (!inside.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a task inside " + name + " did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "NetworkNamespace[" + name + "]";
    }

    private void enterThenRun(Runnable task) {
        try {
            Setns.enterNetworkNamespace(path().toString());
        } catch (RuntimeException e) {
            enterFailure = e;
        }
        task.run();
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    private List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full;
    }

    private static CommandResult host(String... command) {
        return host(List.of(command));
    }

    private static CommandResult host(List<String> command) {
        return Commands.run(command, Commands.DEFAULT_TIMEOUT);
    }

    private static void closeQuietly(NetworkNamespace ns) {
        try {
            ns.close();
        } catch (RuntimeException e) {
            System.err.println("could not delete network namespace " + ns.name + ": " + e.getMessage());
        }
    }

    /** Deletes namespaces this fixture created in JVMs that are gone (a killed test run). */
    private static void removeStale() {
        for (String line : host("ip", "netns", "list").stdout().lines().toList()) {
            String entry = line.split(" ", 2)[0];
            Matcher own = OWN_NAME.matcher(entry);
            if (own.matches() && ProcessHandle.of(Long.parseLong(own.group(1))).isEmpty()) {
                host("ip", "netns", "del", entry);
            }
        }
    }
}
