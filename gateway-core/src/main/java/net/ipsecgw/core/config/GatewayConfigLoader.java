package net.ipsecgw.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * Reads a {@link GatewayConfig} from a YAML file (everything under the {@value #PREFIX} key) with
 * Spring Boot's binder: relaxed names ({@code remote-address}), durations with units ({@code 20s}),
 * hex SPIs ({@code 0x1000}). A value that does not fit stops loading with a {@link
 * ConfigurationException} naming the key and the reason.
 */
public final class GatewayConfigLoader {
    /** The key everything is configured under. */
    public static final String PREFIX = "gateway";

    private GatewayConfigLoader() {}

    /** Loads and checks {@code file}. */
    public static GatewayConfig load(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigurationException(file + ": cannot read the configuration file");
        }
        List<PropertySource<?>> sources;
        try {
            sources = new YamlPropertySourceLoader().load(file.toString(), new FileSystemResource(file));
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        Binder binder = new Binder(
                ConfigurationPropertySources.from(sources), null, ApplicationConversionService.getSharedInstance());
        try {
            return binder.bind(PREFIX, Bindable.of(GatewayConfig.class))
                    .orElseThrow(() -> new ConfigurationException(file + ": no '" + PREFIX + ":' section"));
        } catch (BindException e) {
            throw new ConfigurationException(file + ": " + describe(e), e);
        }
    }

    /** "key: reason" from the innermost cause, which the records' own checks word for an operator. */
    private static String describe(BindException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String key = e.getProperty() != null
                ? e.getProperty().getName().toString()
                : e.getName().toString();
        return key + ": " + root.getMessage();
    }

    /** A configuration that cannot be used; the message names the file, the key and the reason. */
    public static final class ConfigurationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConfigurationException(String message) {
            super(message);
        }

        ConfigurationException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
