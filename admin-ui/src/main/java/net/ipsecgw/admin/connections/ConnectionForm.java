package net.ipsecgw.admin.connections;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.ipsecgw.admin.system.ConfigurationProblems;
import net.ipsecgw.admin.system.InvalidConfigurationException;
import net.ipsecgw.ike.config.ConnectionConfig;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.ApplicationConversionService;

/**
 * Turns the console's connection form (field names are the file's keys, values as typed) into a
 * {@link ConnectionConfig} with the same binder as the configuration file, so that the form accepts
 * exactly what the file accepts ({@code 1h}, {@code 0x...}, lists) and rejects it with the same words.
 * A rejected form names the field, as the file names the key.
 */
final class ConnectionForm {
    private static final String PREFIX = "connection";

    private ConnectionForm() {}

    /**
     * The connection the form describes.
     *
     * @throws FieldProblem naming the form field and what is wrong with it
     */
    static ConnectionConfig bind(Map<String, ?> form) {
        MapConfigurationPropertySource source = new MapConfigurationPropertySource();
        flatten(form).forEach((key, value) -> source.put(PREFIX + "." + key, value));
        Binder binder = new Binder(List.of(source), null, ApplicationConversionService.getSharedInstance());
        try {
            return binder.bind(PREFIX, Bindable.of(ConnectionConfig.class))
                    .orElseThrow(() -> new FieldProblem("name", "must be given: every connection needs a unique name"));
        } catch (RuntimeException e) {
            InvalidConfigurationException problem = ConfigurationProblems.describe(e);
            if (problem == null) {
                throw e;
            }
            throw new FieldProblem(field(problem.key()), problem.problem());
        }
    }

    /** {@code connection.local-ts[0]} to {@code local-ts}. */
    static String field(String key) {
        String field = key.startsWith(PREFIX + ".") ? key.substring(PREFIX.length() + 1) : key;
        int bracket = field.indexOf('[');
        return bracket < 0 ? field : field.substring(0, bracket);
    }

    /** Blank fields are left out (the record's default applies); lists are indexed keys. */
    private static Map<String, Object> flatten(Map<String, ?> form) {
        Map<String, Object> flat = new LinkedHashMap<>();
        form.forEach((key, value) -> {
            if (value instanceof Collection<?> list) {
                int i = 0;
                for (Object item : list) {
                    if (item != null && !item.toString().isBlank()) {
                        flat.put(key + "[" + i++ + "]", item.toString().strip());
                    }
                }
            } else if (value != null && !value.toString().isBlank()) {
                flat.put(key, value.toString().strip());
            }
        });
        return flat;
    }

    /** A form field the connection cannot have, and why. */
    static final class FieldProblem extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final String field;
        private final String problem;

        FieldProblem(String field, String problem) {
            super(field + ": " + problem);
            this.field = field;
            this.problem = problem;
        }

        String field() {
            return field;
        }

        String problem() {
            return problem;
        }
    }
}
