package net.ipsecgw.admin.connections;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.ipsecgw.admin.system.InvalidConfigurationException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * Adds the console's connections file ({@code appliance.connections-file}) to the environment, above
 * the application's own configuration files (so that what the operator saved replaces the profile's
 * connections) and below the command line and the environment variables. The file may only hold
 * {@code gateway.connections}; it is then bound and checked with everything else under {@code gateway}.
 */
public final class ConnectionsFileEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {
    /** The name of the property source. */
    public static final String SOURCE_NAME = "connections file";

    private static final String KEY = "appliance.connections-file";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String location = environment.getProperty(KEY);
        if (location == null || location.isBlank()) {
            return;
        }
        Path file = Path.of(location);
        if (!Files.isRegularFile(file)) {
            return;
        }
        for (PropertySource<?> source : load(file)) {
            checkKeys(file, source);
            addAboveConfigFiles(environment.getPropertySources(), source);
        }
    }

    private static List<PropertySource<?>> load(Path file) {
        try {
            return new YamlPropertySourceLoader().load(SOURCE_NAME, new FileSystemResource(file));
        } catch (IOException | RuntimeException e) {
            throw new InvalidConfigurationException(
                    KEY, file + " is not readable YAML: " + e.getClass().getSimpleName(), e);
        }
    }

    private static void checkKeys(Path file, PropertySource<?> source) {
        if (source instanceof EnumerablePropertySource<?> enumerable) {
            for (String name : enumerable.getPropertyNames()) {
                if (!name.startsWith("gateway.connections")) {
                    throw new InvalidConfigurationException(
                            KEY, file + " may only hold gateway.connections, but has " + name, null);
                }
            }
        }
    }

    private static void addAboveConfigFiles(MutablePropertySources sources, PropertySource<?> source) {
        for (PropertySource<?> existing : sources) {
            if (existing.getName().startsWith("Config resource")) {
                sources.addBefore(existing.getName(), source);
                return;
            }
        }
        sources.addLast(source);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
