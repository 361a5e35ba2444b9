package net.ipsecgw.admin.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed with SIGKILL while it saves leaves the previous file whole: the save runs in a
 * child JVM that writes slowly, and is killed once it has written part of the new content.
 */
class AtomicFilesCrashIT {
    @TempDir
    Path dir;

    /** The child: replaces the file with content it writes a line at a time, forever. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Path progress = Path.of(args[1]);
        AtomicFiles.replace(file, out -> {
            for (int i = 0; ; i++) {
                out.write(("    - name: connection-" + i + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (i == 10) {
                    Files.writeString(progress, "writing");
                }
                sleep();
            }
        });
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void killedSaveLeavesThePreviousFile() throws Exception {
        Path file = dir.resolve("connections.yml");
        Path progress = dir.resolve("progress");
        String previous = "gateway:\n  connections: []\n";
        Files.writeString(file, previous);
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        AtomicFilesCrashIT.class.getName(),
                        file.toString(),
                        progress.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(progress) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(progress).as("the child started writing").exists();
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(file).hasContent(previous);
    }
}
