package net.ipsecgw.ike.message;

/**
 * Base of the open IANA value types of this package ({@link AuthMethod}, {@link ExchangeType}, {@link
 * IdType}, {@link NotifyType}, {@link PayloadType}, {@link ProtocolId}, {@link TransformType}): a
 * number from one IANA registry, with the name of the constant its class defines for it, if any.
 * Each type creates its values through an {@link IanaRegistry}.
 *
 * <p>Two values are equal when they are of the same type and have the same number, named or not.
 * Only this package defines subclasses. Immutable; safe to share between threads.
 */
public abstract class IanaValue {
    private final int value;
    private final String name;

    /** A value with the number {@code value} and the constant's {@code name}, null when unnamed. */
    IanaValue(int value, String name) {
        this.value = value;
        this.name = name;
    }

    /** The number on the wire. */
    public final int value() {
        return value;
    }

    /** True for a value this class names. */
    public final boolean isKnown() {
        return name != null;
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((IanaValue) o).value == value;
    }

    @Override
    public final int hashCode() {
        return value;
    }

    /** The constant's name, or the number of an unnamed value. */
    @Override
    public final String toString() {
        return IanaRegistry.display(name, value);
    }
}
