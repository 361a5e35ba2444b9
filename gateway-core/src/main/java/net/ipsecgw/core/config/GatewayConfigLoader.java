package net.ipsecgw.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import net.ipsecgw.ike.config.ConfigValueException;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.convert.ConverterNotFoundException;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a {@link GatewayConfig} from a YAML file (everything under the {@value #PREFIX} key) with
 * Spring Boot's binder: relaxed names ({@code remote-address}), durations with units ({@code 20s}),
 * hex SPIs ({@code 0x1000}). A value that does not fit, or a key that no setting has, stops loading
 * with a {@link ConfigurationException} naming the key and the reason (and never a key's value).
 */
public final class GatewayConfigLoader {
    /** The key everything is configured under. */
    public static final String PREFIX = "gateway";

    private GatewayConfigLoader() {}

    /**
     * Loads and checks {@code file}.
     *
     * @throws ConfigurationException naming the file, the key and the reason when the file cannot be
     *     read, is not YAML, has no {@value #PREFIX} section, has a key that no setting has, or has a
     *     value that does not fit
     */
    public static GatewayConfig load(Path file) {
        if (!Files.exists(file)) {
            throw new ConfigurationException(file + ": the configuration file does not exist");
        }
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new ConfigurationException(file + ": cannot read the configuration file");
        }
        List<PropertySource<?>> sources;
        try {
            sources = new YamlPropertySourceLoader().load(file.toString(), new FileSystemResource(file));
        } catch (IOException | RuntimeException e) {
            MarkedYAMLException yaml = Causes.find(e, MarkedYAMLException.class);
            if (yaml == null) {
                throw new ConfigurationException(file + ": not valid YAML: " + e.getMessage(), e);
            }
            // Line, column and problem only: the parser's own message quotes the line, which may hold a key.
            Mark mark = yaml.getProblemMark();
            String where =
                    mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
            String context = yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")";
            throw new ConfigurationException(file + ": not valid YAML: " + where + yaml.getProblem() + context);
        }
        Binder binder = new Binder(
                ConfigurationPropertySources.from(sources), null, ApplicationConversionService.getSharedInstance());
        try {
            // Unknown keys are errors: a misspelled optional key would otherwise be ignored in silence.
            return binder.bind(
                            PREFIX,
                            Bindable.of(GatewayConfig.class),
                            new NoUnboundElementsBindHandler(BindHandler.DEFAULT))
                    .orElseThrow(() -> new ConfigurationException(file + ": no '" + PREFIX + ":' section"));
        } catch (BindException e) {
            // Only the innermost cause is kept: the conversion exceptions in between repeat the value,
            // which may be a key.
            throw new ConfigurationException(file + ": " + describe(e), Causes.root(e));
        }
    }

    /** "key: reason" from the innermost cause, which the records' own checks word for an operator. */
    private static String describe(BindException e) {
        String key = e.getProperty() != null
                ? e.getProperty().getName().toString()
                : e.getName().toString();
        Throwable root = Causes.root(e);
        if (root instanceof ConfigValueException invalid) {
            return key + "." + invalid.key() + ": " + invalid.problem();
        }
        if (root instanceof UnboundConfigurationPropertiesException unbound) {
            String names = unbound.getUnboundProperties().stream()
                    .map(property -> property.getName().toString())
                    .sorted()
                    .collect(Collectors.joining(", "));
            return names + ": not a known setting (misspelled?)";
        }
        ConverterNotFoundException noConverter = Causes.find(e, ConverterNotFoundException.class);
        if (noConverter != null
                && noConverter.getSourceType() != null
                && Number.class.isAssignableFrom(noConverter.getSourceType().getType())) {
            // YAML reads 0x... and runs of digits as numbers; the value itself is not repeated (a secret).
            return key + ": YAML read this value as a number; write it in quotes";
        }
        ConversionFailedException conversion = Causes.find(e, ConversionFailedException.class);
        if (conversion != null) {
            Class<?> target = conversion.getTargetType().getType();
            if (target.isEnum()) {
                String constants = Arrays.stream(target.getEnumConstants())
                        .map(constant -> ((Enum<?>) constant).name())
                        .collect(Collectors.joining(", "));
                return key + ": '" + conversion.getValue() + "' is not one of " + constants;
            }
            if (root instanceof NumberFormatException) {
                return key + ": '" + conversion.getValue() + "' is not a whole number";
            }
        }
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
