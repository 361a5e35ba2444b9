package net.ipsecgw.core.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import net.ipsecgw.testing.Privileges;

/**
 * One strongSwan charon (5.9, Debian's packages) in a gateway namespace of an {@link InteropLab},
 * configured from a {@link ConnectionSpec}: the interop tests' reference peer.
 *
 * <p>It runs as {@code benchmarks/lib/strongswan.sh} runs charon ({@code sswan_instance_start}): in
 * the foreground, with its own {@code /run} bind-mounted in a private mount namespace, its own vici
 * socket, its own strongswan.conf with an explicit plugin list (kernel-libipsec before kernel-netlink,
 * so ESP runs in user space on an {@code ipsec0} TUN device; kdf present) and its own swanctl
 * directory ({@code SWANCTL_DIR}), all in {@code $TOPO_STATE/sswan-<name>}. It is recorded by pid, so
 * the lab's teardown stops it even if {@link #close()} is never reached.
 *
 * <p>kernel-libipsec only does UDP-encapsulated ESP and no ESN: keep {@link ConnectionSpec#encap()}
 * on and proposals without {@code esn}. Used from the test thread only.
 */
public final class StrongSwanPeer implements AutoCloseable {
    private static final Path PLUGINS = Path.of("/usr/lib/ipsec/plugins");
    private static final List<String> REQUIRED_PLUGINS = List.of(
            "kernel-libipsec", "kernel-netlink", "kdf", "curve25519", "openssl", "gcm", "vici", "socket-default");
    private static final Pattern IKE_REKEYED = Pattern.compile("(?m)IKE_SA \\S+\\[\\d+] rekeyed between");
    private static final Pattern CHILD_REKEY =
            Pattern.compile("(?m)(generating|parsed) CREATE_CHILD_SA request \\d+ \\[ N\\(REKEY_SA\\)");

    /**
     * Charon-wide options.
     *
     * @param saveKeys load the save-keys plugin, which writes the IKE and ESP keys in Wireshark's
     *     format to {@code <dir>/keys/} (needs the plugin: see {@link #saveKeysAvailable()})
     * @param logLevel the file log's level for every subsystem (1: one line per event; 2: payloads)
     * @param retransmitTimeout charon's first retransmission timeout
     * @param retransmitTries retransmissions before charon gives up on the peer
     */
    public record Options(boolean saveKeys, int logLevel, Duration retransmitTimeout, int retransmitTries) {
        /** strongSwan's retransmission defaults, log level 1, no key files. */
        public static Options defaults() {
            return new Options(false, 1, Duration.ofSeconds(4), 5);
        }

        public Options withSaveKeys(boolean value) {
            return new Options(value, logLevel, retransmitTimeout, retransmitTries);
        }

        public Options withLogLevel(int value) {
            return new Options(saveKeys, value, retransmitTimeout, retransmitTries);
        }

        public Options withRetransmit(Duration timeout, int tries) {
            return new Options(saveKeys, logLevel, timeout, tries);
        }
    }

    private final InteropLab lab;
    private final String name;
    private final String role;
    private final ConnectionSpec spec;
    private final Path dir;
    private boolean running;

    private StrongSwanPeer(InteropLab lab, String name, String role, ConnectionSpec spec, Path dir) {
        this.lab = lab;
        this.name = name;
        this.role = role;
        this.spec = spec;
        this.dir = dir;
    }

    /**
     * Skips (or, under CI, fails) {@code what} unless charon, swanctl and the plugins it loads are
     * installed. As root, installs Debian's strongSwan packages first when they are missing
     * ({@code sswan_install}), as the benchmarks do.
     */
    public static void requireStrongSwan(InteropLab lab, String what) {
        if (!installed() && Privileges.isRoot()) {
            lab.sh(Duration.ofMinutes(5), "sswan_install");
        }
        Privileges.require(
                installed(),
                what + " needs strongSwan's charon, swanctl and plugins " + REQUIRED_PLUGINS
                        + " (Debian packages strongswan-charon strongswan-swanctl libcharon-extra-plugins"
                        + " libstrongswan-standard-plugins libstrongswan-extra-plugins)");
    }

    private static boolean installed() {
        return Files.isExecutable(Path.of("/usr/lib/ipsec/charon"))
                && Privileges.onPath("swanctl")
                && REQUIRED_PLUGINS.stream().allMatch(StrongSwanPeer::hasPlugin);
    }

    private static boolean hasPlugin(String plugin) {
        return Files.exists(PLUGINS.resolve("libstrongswan-" + plugin + ".so"));
    }

    /** Whether the save-keys plugin is installed (Debian's 5.9.8 packages do not build it). */
    public static boolean saveKeysAvailable() {
        return hasPlugin("save-keys");
    }

    /** {@link #start(InteropLab, String, ConnectionSpec, Options)} with default options. */
    public static StrongSwanPeer start(InteropLab lab, String role, ConnectionSpec spec) {
        return start(lab, role, spec, Options.defaults());
    }

    /**
     * Writes the configuration and credentials of {@code spec}, starts charon in namespace
     * {@code role} ({@code ga} or {@code gb}), waits for its vici socket and loads everything
     * ({@code swanctl --load-all}; with start action {@code START} that initiates). On failure
     * everything it started is stopped and the failure thrown with the log's tail.
     */
    public static StrongSwanPeer start(InteropLab lab, String role, ConnectionSpec spec, Options options) {
        if (options.saveKeys() && !saveKeysAvailable()) {
            throw new IllegalStateException("save-keys asked for, but " + PLUGINS
                    + "/libstrongswan-save-keys.so is not installed (Debian's strongSwan 5.9.8 does not build it)");
        }
        String name = "peer-" + role;
        Path dir = lab.state().resolve("sswan-" + name);
        StrongSwanPeer peer = new StrongSwanPeer(lab, name, role, spec, dir);
        try {
            peer.writeConfiguration(options);
            peer.running = true;
            lab.sh(Duration.ofSeconds(60), "sswan_instance_start \"$P\" " + name + " \"$P-" + role + "\"")
                    .orThrow("starting charon in " + lab.ns(role));
            peer.load();
            return peer;
        } catch (RuntimeException | Error e) {
            String log = peer.log();
            peer.close();
            throw new IllegalStateException(
                    e.getMessage() + "\ncharon log (last 40 lines):\n" + InteropLab.tail(log, 40), e);
        }
    }

    private void writeConfiguration(Options options) {
        try {
            InteropLab.deleteRecursively(dir);
            Path swanctl = dir.resolve("swanctl");
            for (String sub : List.of(
                    "x509",
                    "x509ca",
                    "x509ocsp",
                    "x509aa",
                    "x509ac",
                    "x509crl",
                    "pubkey",
                    "private",
                    "rsa",
                    "ecdsa",
                    "bliss",
                    "pkcs8",
                    "pkcs12")) {
                Files.createDirectories(swanctl.resolve(sub));
            }
            if (spec.auth() instanceof ConnectionSpec.Certificates c) {
                Files.copy(c.caCertificate(), swanctl.resolve("x509ca/ca.pem"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(c.certificate(), swanctl.resolve("x509/local.pem"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(c.privateKey(), swanctl.resolve("private/local.pem"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(dir.resolve("strongswan.conf"), StrongSwanConfig.strongswanConf(dir, options));
            Files.writeString(swanctl.resolve("swanctl.conf"), StrongSwanConfig.swanctlConf(spec));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the configuration of " + name, e);
        }
    }

    /** The connection this peer runs. */
    public ConnectionSpec spec() {
        return spec;
    }

    /** The instance directory: strongswan.conf, swanctl/, charon.log, charon.out. */
    public Path directory() {
        return dir;
    }

    /** The key files the save-keys plugin writes, when {@link Options#saveKeys()} is on. */
    public Path keysDirectory() {
        return dir.resolve("keys");
    }

    /** Runs {@code swanctl <args>} against this charon; returns the result whether it succeeded or not. */
    public InteropLab.Result swanctl(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("swanctl"));
        command.addAll(List.of(args));
        command.addAll(List.of("--uri", "unix://" + dir.resolve("charon.vici")));
        return lab.run(
                timeout,
                Map.of(
                        "STRONGSWAN_CONF", dir.resolve("strongswan.conf").toString(),
                        "SWANCTL_DIR", dir.resolve("swanctl").toString()),
                command);
    }

    /** {@code swanctl --load-all}: connections, secrets, certificates and keys. */
    public void load() {
        swanctl(Duration.ofSeconds(30), "--load-all", "--noprompt").orThrow("swanctl --load-all");
    }

    /** Initiates the CHILD_SA (and its IKE SA when there is none); returns once it is established. */
    public void initiate() {
        swanctl(Duration.ofSeconds(40), "--initiate", "--ike", spec.name(), "--child", spec.name(), "--timeout", "30")
                .orThrow("swanctl --initiate");
    }

    /** Deletes the CHILD_SA (INFORMATIONAL with DELETE); the IKE SA stays. */
    public void terminateChild() {
        swanctl(Duration.ofSeconds(40), "--terminate", "--child", spec.name(), "--timeout", "30")
                .orThrow("swanctl --terminate --child");
    }

    /** Deletes the IKE SA and its CHILD_SAs. */
    public void terminateIke() {
        swanctl(Duration.ofSeconds(40), "--terminate", "--ike", spec.name(), "--timeout", "30")
                .orThrow("swanctl --terminate --ike");
    }

    /** Rekeys the CHILD_SA (CREATE_CHILD_SA with REKEY_SA); returns once charon has started it. */
    public void rekeyChild() {
        swanctl(Duration.ofSeconds(20), "--rekey", "--child", spec.name()).orThrow("swanctl --rekey --child");
    }

    /** Rekeys the IKE SA (CREATE_CHILD_SA, not reauthentication). */
    public void rekeyIke() {
        swanctl(Duration.ofSeconds(20), "--rekey", "--ike", spec.name()).orThrow("swanctl --rekey --ike");
    }

    /** Every IKE SA charon has, with its CHILD_SAs. */
    public List<SwanctlSas.IkeSa> listSas() {
        return SwanctlSas.parse(swanctl(Duration.ofSeconds(20), "--list-sas", "--raw")
                .orThrow("swanctl --list-sas")
                .stdout());
    }

    /** The ESTABLISHED IKE SA of the connection, if there is one. */
    public Optional<SwanctlSas.IkeSa> established() {
        return listSas().stream()
                .filter(sa -> sa.name().equals(spec.name()) && sa.state().equals("ESTABLISHED"))
                .findFirst();
    }

    /** Waits until the connection's IKE SA is ESTABLISHED with an INSTALLED CHILD_SA; returns it. */
    public SwanctlSas.IkeSa awaitInstalled(Duration timeout) {
        await(timeout, "an ESTABLISHED IKE SA with an INSTALLED CHILD_SA", () -> established()
                .filter(sa -> !sa.installed().isEmpty())
                .isPresent());
        return established().orElseThrow();
    }

    /** Waits until charon has no IKE SA at all (the peer deleted it, or DPD cleared it). */
    public void awaitNoIkeSa(Duration timeout) {
        await(timeout, "no IKE SA", () -> listSas().isEmpty());
    }

    /** Waits until the connection has an ESTABLISHED IKE SA without any INSTALLED CHILD_SA. */
    public void awaitNoChildSa(Duration timeout) {
        await(timeout, "an IKE SA without CHILD_SA", () -> established()
                .filter(sa -> sa.installed().isEmpty())
                .isPresent());
    }

    /** Polls {@code condition} every 100 ms until it holds; throws with the SAs and the log's tail. */
    public void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("strongSwan in " + lab.ns(role) + ": not " + what + " within " + timeout
                        + "\nSAs: " + (running ? listSas() : "(not running)") + "\nlog (last 40 lines):\n"
                        + InteropLab.tail(log(), 40));
            }
            sleep(100);
        }
    }

    /** IKE SA rekeys this charon completed, as initiator or responder (from its log). */
    public int ikeRekeys() {
        return (int) IKE_REKEYED.matcher(log()).results().count();
    }

    /** CHILD_SA rekey exchanges this charon sent or answered (from its log). */
    public int childRekeys() {
        return (int) CHILD_REKEY.matcher(log()).results().count();
    }

    /** Whether charon still runs. */
    public boolean alive() {
        return lab.trackedPid("sswan-" + name) > 0;
    }

    /** Kills charon with SIGKILL: no DELETE is sent, its ipsec0 device goes with it. For DPD tests. */
    public void kill9() {
        long pid = lab.trackedPid("sswan-" + name);
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            await(Duration.ofSeconds(10), "dead after SIGKILL", () -> lab.trackedPid("sswan-" + name) < 0);
        }
        running = false;
    }

    /** Stops charon (SIGTERM, which deletes its SAs with the peer; KILL after 10 s). Idempotent. */
    public void stop() {
        if (running) {
            running = false;
            lab.sh(Duration.ofSeconds(60), "sswan_instance_stop \"$P\" " + name).orThrow("sswan_instance_stop");
        }
    }

    /** charon's file log. */
    public String log() {
        return InteropLab.read(dir.resolve("charon.log"));
    }

    /** Stops charon; the configuration and log stay in the lab's state directory until its teardown. */
    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("cannot stop charon " + name + ": " + e);
        }
    }

    @Override
    public String toString() {
        return "StrongSwanPeer[" + lab.ns(role) + ", " + spec + "]";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
