package net.ipsecgw.ike.message;

import java.util.HashMap;
import java.util.Map;

/**
 * The named values of one IANA registry, for the open value types of this package: {@link #define}
 * registers a named constant, {@link #valueOf} returns it or a new unnamed value, so that an
 * unknown number on the wire is a value and never an exception.
 *
 * <p>Filled while the owning class initialises, read-only afterwards; safe to read from any thread.
 */
final class IanaRegistry<T> {
    /** Creates an instance of the value type from its number and name (null when unnamed). */
    interface Factory<T> {
        T create(int value, String name);
    }

    private final String registry;
    private final int max;
    private final Factory<T> factory;
    private final Map<Integer, T> named = new HashMap<>();

    IanaRegistry(String registry, int max, Factory<T> factory) {
        this.registry = registry;
        this.max = max;
        this.factory = factory;
    }

    T define(int value, String name) {
        T constant = factory.create(check(value), name);
        if (named.put(value, constant) != null) {
            throw new IllegalStateException(registry + " " + value + " defined twice");
        }
        return constant;
    }

    T valueOf(int value) {
        T constant = named.get(check(value));
        return constant != null ? constant : factory.create(value, null);
    }

    private int check(int value) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(registry + " out of range 0.." + max + ": " + value);
        }
        return value;
    }

    /** The name of a constant, or the number of an unnamed value, for {@code toString}. */
    static String display(String name, int value) {
        return name != null ? name : Integer.toString(value);
    }
}
