package net.ipsecgw.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Gates tests that need root (network namespaces, TUN devices) or external programs.
 *
 * <p>Outside CI such a test is skipped with a visible reason; under {@code CI=true} it fails instead,
 * because CI runs as root with every tool installed and a skip there would hide a broken setup.
 */
public final class Privileges {
    private Privileges() {}

    /** True when this process runs with effective uid 0. */
    public static boolean isRoot() {
        try {
            List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
            return status.stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .map(line -> line.split("\\s+")[2])
                    .anyMatch("0"::equals);
        } catch (IOException e) {
            return false;
        }
    }

    /** True when running under CI ({@code CI=true}), where requirements fail rather than skip. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or, under CI, fails) the calling test unless it runs as root. */
    public static void requireRoot(String what) {
        require(isRoot(), what + " needs root (network namespaces, TUN devices)");
    }

    /** Skips (or, under CI, fails) the calling test unless {@code program} is on the PATH. */
    public static void requireProgram(String program, String debianPackage) {
        require(
                onPath(program),
                "'" + program + "' is not installed (Debian package " + debianPackage + "); .ci/run installs it");
    }

    /** Skips (or, under CI, fails) the calling test with {@code reason} unless {@code condition} holds. */
    public static void require(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if (inCi()) {
            Assertions.fail("CI=true, so this requirement is mandatory: " + reason);
        }
        Assumptions.abort("skipped: " + reason);
    }

    /** True when an executable named {@code program} is on the PATH (or in /usr/sbin, /sbin). */
    public static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
