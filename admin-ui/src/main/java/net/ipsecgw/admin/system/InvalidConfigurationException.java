package net.ipsecgw.admin.system;

/**
 * A configuration value the appliance cannot start with: its full key ({@code gateway.black.port}) and
 * the reason. Never carries the value of a secret.
 */
public final class InvalidConfigurationException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    /** {@code key} is the full key, {@code problem} is worded to follow it. */
    public InvalidConfigurationException(String key, String problem, Throwable cause) {
        super(key + ": " + problem, cause);
        this.key = key;
        this.problem = problem;
    }

    /** The full key, e.g. {@code gateway.connections[0].psk}. */
    public String key() {
        return key;
    }

    /** What is wrong with it. */
    public String problem() {
        return problem;
    }
}
