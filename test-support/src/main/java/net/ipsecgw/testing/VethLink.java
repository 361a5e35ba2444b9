package net.ipsecgw.testing;

/**
 * A veth pair joining two test namespaces, one end in each, addressed from one {@link TestSubnet}
 * ({@code first} on the left end, {@code second} on the right) and up. No default route is added:
 * the namespaces reach each other's address and nothing else. Immutable; the link disappears with
 * either namespace.
 *
 * @param left the namespace of the left end
 * @param leftName the left end's interface name (inside {@code left})
 * @param right the namespace of the right end
 * @param rightName the right end's interface name (inside {@code right})
 * @param subnet the /30 the ends are addressed from
 */
public record VethLink(
        NetworkNamespace left, String leftName, NetworkNamespace right, String rightName, TestSubnet subnet) {}
