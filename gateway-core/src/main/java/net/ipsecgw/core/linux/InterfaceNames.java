package net.ipsecgw.core.linux;

/**
 * The kernel's rules for a network interface name ({@code dev_valid_name()} in net/core/dev.c),
 * checked before a system call so that a bad name gets a message instead of a bare EINVAL.
 *
 * <p>Stateless and thread-safe.
 */
public final class InterfaceNames {
    /** Longest name: {@code IFNAMSIZ} (16) minus the terminating NUL. */
    public static final int MAX_LENGTH = Ifreq.IFNAMSIZ - 1;

    private InterfaceNames() {}

    /**
     * Returns {@code name} when the kernel would accept it as an interface name.
     *
     * @throws IllegalArgumentException naming the rule that {@code name} breaks
     */
    public static String requireValid(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an interface name must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("interface name '" + name + "' is too long: " + name.length()
                    + " characters, the kernel allows at most " + MAX_LENGTH + " (IFNAMSIZ 16 with its NUL)");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is not a valid interface name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') {
                throw new IllegalArgumentException("interface name '" + name
                        + "' contains a character the kernel rejects (space, control, non-ASCII, '/' or ':')");
            }
        }
        return name;
    }
}
