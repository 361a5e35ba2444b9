package net.ipsecgw.core.linux;

/**
 * Run in a child JVM by {@link TunDeviceIT} (inside a test namespace, without CAP_NET_ADMIN): tries
 * to create a TUN device and prints the outcome on one line.
 */
public final class TunOpenProbe {
    private TunOpenProbe() {}

    public static void main(String[] args) {
        try (TunDevice device = TunDevice.open(args[0], 1, 1400, TunFdMode.NON_BLOCKING)) {
            System.out.println("opened " + device);
        } catch (TunDeviceException e) {
            System.out.println("failed " + e.reason() + " errno " + e.errno() + ": " + e.getMessage());
        }
    }
}
