package net.ipsecgw.core;

import net.ipsecgw.testing.NetworkNamespace;

/**
 * Run in a child JVM by {@link NetworkNamespaceFixtureIT}: creates a namespace, prints its name, then
 * either returns without closing it ({@code leave}: the shutdown hook must delete it) or waits to be
 * killed ({@code hang}: the next JVM's first namespace must delete it as stale).
 */
public final class NamespaceProbe {
    private NamespaceProbe() {}

    public static void main(String[] args) throws InterruptedException {
        NetworkNamespace ns = NetworkNamespace.create();
        System.out.println("created " + ns.name());
        System.out.flush();
        if (args[0].equals("hang")) {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
