package net.ipsecgw.admin.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheFileWithOwnerOnlyPermissions() throws IOException {
        Path file = dir.resolve("connections.yml");
        Files.writeString(file, "old");
        AtomicFiles.replace(file, "new".getBytes(StandardCharsets.UTF_8));
        assertThat(file).hasContent("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(entries()).containsExactly("connections.yml");
    }

    @Test
    void failureHalfWayThroughLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("connections.yml");
        Files.writeString(file, "gateway:\n  connections: []\n");
        assertThatThrownBy(() -> AtomicFiles.replace(file, out -> {
                    out.write("gateway:\n  connections:\n    - name: half".getBytes(StandardCharsets.UTF_8));
                    throw new IOException("disk full");
                }))
                .hasMessage("disk full");
        assertThat(file).hasContent("gateway:\n  connections: []\n");
        assertThat(entries()).containsExactly("connections.yml");
    }

    @Test
    void createsMissingDirectories() throws IOException {
        Path file = dir.resolve("a/b/file");
        AtomicFiles.replace(file, new byte[] {1, 2});
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2);
    }

    private java.util.List<String> entries() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }
}
