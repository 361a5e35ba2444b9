package net.ipsecgw.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The documented example configuration, docs/examples/gateway.yml, for tests of its loading and use. */
public final class ExampleConfig {
    private static final Path RELATIVE = Path.of("docs", "examples", "gateway.yml");
    private static final Pattern KEY_VALUE = Pattern.compile("(?m)^\\s*(?:port-)?key:\\s*\"?([^\\s\"#]+)");

    private ExampleConfig() {}

    /** The example file, found from the working directory (the module's or the repository's) upwards. */
    public static Path path() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                RELATIVE + " not found above " + Path.of("").toAbsolutePath());
    }

    /** The example file's text. */
    public static String text() {
        try {
            return Files.readString(path());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example, loaded. */
    public static GatewayConfig load() {
        return GatewayConfigLoader.load(path());
    }

    /** Every value written after {@code key:} or {@code port-key:} in {@code yaml}: the secrets. */
    public static List<String> secrets(String yaml) {
        Matcher matcher = KEY_VALUE.matcher(yaml);
        return matcher.results().map(result -> result.group(1)).toList();
    }
}
