package net.ipsecgw.admin.system;

import java.util.Arrays;
import java.util.stream.Collectors;
import net.ipsecgw.core.config.Causes;
import net.ipsecgw.ike.config.ConfigValueException;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.validation.FieldError;

/**
 * Turns a failed binding into the key and the reason an operator needs ({@code gateway.black.port:
 * must be 1-65535, got 70000}), without ever repeating a value that may be secret: only the records'
 * own messages (which never hold secrets), enum constants and the names of keys.
 */
public final class ConfigurationProblems {
    private ConfigurationProblems() {}

    /** The key and reason of the innermost problem in {@code failure}, or null when it is no binding problem. */
    public static InvalidConfigurationException describe(Throwable failure) {
        InvalidConfigurationException known = Causes.find(failure, InvalidConfigurationException.class);
        if (known != null) {
            return known;
        }
        BindException bind = innermost(failure);
        if (bind == null) {
            return null;
        }
        return describe(bind);
    }

    private static InvalidConfigurationException describe(BindException bind) {
        Throwable root = Causes.root(bind);
        String name = bind.getName().toString();
        if (root instanceof ConfigValueException invalid) {
            // A value type's own parse (Secret.valueOf) names itself; the property is the key then.
            boolean conversion = Causes.find(bind, ConversionFailedException.class) != null;
            String key = conversion ? name : name + "." + invalid.key();
            return new InvalidConfigurationException(key, invalid.problem(), bind);
        }
        if (root instanceof UnboundConfigurationPropertiesException unbound) {
            String names = unbound.getUnboundProperties().stream()
                    .map(property -> property.getName().toString())
                    .sorted()
                    .collect(Collectors.joining(", "));
            return new InvalidConfigurationException(names, "not a known setting (misspelled?)", bind);
        }
        if (root instanceof BindValidationException validation) {
            return validationProblem(name, validation, bind);
        }
        String key = bind.getProperty() != null ? bind.getProperty().getName().toString() : name;
        return new InvalidConfigurationException(key, conversionProblem(bind, root), bind);
    }

    private static InvalidConfigurationException validationProblem(
            String name, BindValidationException validation, BindException bind) {
        var error = validation.getValidationErrors().getAllErrors().getFirst();
        String key = error instanceof FieldError field ? name + "." + kebab(field.getField()) : name;
        return new InvalidConfigurationException(key, error.getDefaultMessage(), bind);
    }

    private static String conversionProblem(BindException bind, Throwable root) {
        ConversionFailedException conversion = Causes.find(bind, ConversionFailedException.class);
        if (conversion == null) {
            return root.getMessage();
        }
        Class<?> target = conversion.getTargetType().getType();
        if (target.isEnum()) {
            String constants = Arrays.stream(target.getEnumConstants())
                    .map(constant -> ((Enum<?>) constant).name())
                    .collect(Collectors.joining(", "));
            return "is not one of " + constants;
        }
        if (root instanceof NumberFormatException) {
            return "is not a number";
        }
        // The converter's own message may quote the value (a secret, perhaps): name the type only.
        return "cannot be read as " + target.getSimpleName();
    }

    /** {@code maxFailures} to {@code max-failures}, {@code login.maxFailures} to {@code login.max-failures}. */
    static String kebab(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static BindException innermost(Throwable failure) {
        BindException found = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BindException bind) {
                found = bind;
            }
        }
        return found;
    }
}
