package net.ipsecgw.admin.system;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces files so that a crash at any moment leaves either the old file or the new one, never a
 * mixture: the new content goes to a temporary file in the same directory, is forced to disk, and is
 * renamed over the target (atomic within a file system); then the directory is forced too, so that the
 * rename itself survives a power cut.
 */
public final class AtomicFiles {
    /** Readable and writable by the owner only: the files may hold secrets. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AtomicFiles() {}

    /** Writes what {@code content} writes to its stream. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content; may throw, in which case the target is left as it was. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Atomically replaces (or creates) {@code target} with {@code content}, readable by its owner only. */
    public static void replace(Path target, Content content) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temp = Files.createTempFile(
                directory, "." + target.getFileName() + ".", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            forceDirectory(directory);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Atomically replaces {@code target} with {@code bytes}. */
    public static void replace(Path target, byte[] bytes) throws IOException {
        replace(target, out -> out.write(bytes));
    }

    private static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (FileSystemException e) {
            // Some file systems cannot sync a directory; the rename is still atomic there.
        }
    }
}
