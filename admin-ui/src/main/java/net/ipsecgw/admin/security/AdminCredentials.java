package net.ipsecgw.admin.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Consumer;
import net.ipsecgw.admin.system.AtomicFiles;
import net.ipsecgw.ike.config.Secret;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.password.PasswordEncoder;
import reactor.core.publisher.Mono;

/**
 * The console's one user, whose password hash lives in a file under the state directory
 * ({@code console-credentials}: {@code user:{bcrypt}hash}). There is no default password: at first
 * start the file is written from the installer's initial password, or from a generated one that is
 * shown once (and never stored in clear). Later starts only read the file.
 */
public final class AdminCredentials implements ReactiveUserDetailsService {
    /** The file's name under the state directory. */
    public static final String FILE_NAME = "console-credentials";

    private final String user;
    private final String hash;

    private AdminCredentials(String user, String hash) {
        this.user = user;
        this.hash = hash;
    }

    /**
     * Reads the credentials from {@code stateDirectory}, creating them first if there are none.
     *
     * @param initialPassword the installer's password, or null to generate one
     * @param announce shown the generated password, once
     */
    public static AdminCredentials loadOrCreate(
            Path stateDirectory,
            String user,
            Secret initialPassword,
            PasswordEncoder encoder,
            Consumer<String> announce) {
        Path file = stateDirectory.resolve(FILE_NAME);
        try {
            if (!Files.exists(file)) {
                create(file, user, initialPassword, encoder, announce);
            }
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the console credentials in " + file, e);
        }
    }

    private static void create(
            Path file, String user, Secret initialPassword, PasswordEncoder encoder, Consumer<String> announce)
            throws IOException {
        String password =
                initialPassword != null ? new String(initialPassword.bytes(), StandardCharsets.UTF_8) : generate();
        AtomicFiles.replace(file, (user + ":" + encoder.encode(password) + "\n").getBytes(StandardCharsets.UTF_8));
        if (initialPassword == null) {
            announce.accept(password);
        }
    }

    private static AdminCredentials read(Path file) throws IOException {
        String line = Files.readString(file, StandardCharsets.UTF_8).strip();
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new IOException(file + " is not 'user:hash'");
        }
        return new AdminCredentials(line.substring(0, colon), line.substring(colon + 1));
    }

    private static String generate() {
        byte[] bytes = new byte[15];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The user's name. */
    public String user() {
        return user;
    }

    @Override
    public Mono<UserDetails> findByUsername(String username) {
        if (!user.equals(username)) {
            return Mono.empty();
        }
        return Mono.just(User.withUsername(user).password(hash).roles("ADMIN").build());
    }
}
