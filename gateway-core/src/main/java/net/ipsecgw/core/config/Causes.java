package net.ipsecgw.core.config;

/** Walks an exception's cause chain, for the code that turns binding failures into operator messages. */
public final class Causes {
    private Causes() {}

    /** The innermost cause of {@code e} (itself when it has none). */
    public static Throwable root(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** The outermost exception of {@code type} in the chain of {@code e}, or null. */
    public static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
