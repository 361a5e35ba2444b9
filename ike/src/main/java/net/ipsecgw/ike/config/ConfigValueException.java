package net.ipsecgw.ike.config;

/**
 * A configuration value that a record rejects: the key, relative to the record and spelled as in the
 * file ({@code port}, {@code tunnels[1].name}), and what is wrong with it. The configuration loader
 * prefixes the record's own key, giving e.g. {@code gateway.black.port: must be 1-65535, got 70000};
 * the message of the exception itself reads {@code port must be 1-65535, got 70000}.
 */
public final class ConfigValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    public ConfigValueException(String key, String problem) {
        super(key + " " + problem);
        this.key = key;
        this.problem = problem;
    }

    /** The key relative to the record that rejected it, e.g. {@code remote-address} or {@code outbound[2].lane}. */
    public String key() {
        return key;
    }

    /** What is wrong, worded to follow the key. Never contains keying material. */
    public String problem() {
        return problem;
    }
}
