package net.ipsecgw.admin;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * UDP ports for a test's demo gateways that are free on both 127.0.0.1 and 127.0.0.2, so a test does
 * not collide with a demo already running on its fixed ports (14500, 15000) or with another test.
 *
 * @param natT the NAT-T port both gateways use
 * @param ike the IKE port both gateways use
 */
record DemoPorts(int natT, int ike) {

    /** Two distinct ports, each bindable on both loopback addresses right now. */
    static DemoPorts pick() {
        int natT = freeOnBoth(-1);
        return new DemoPorts(natT, freeOnBoth(natT));
    }

    /** Points the demo profile's gateways and connection at these ports. */
    void register(DynamicPropertyRegistry registry) {
        registry.add("gateway.black.port", () -> natT);
        registry.add("gateway.ike.port", () -> ike);
    }

    private static int freeOnBoth(int other) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 30000);
            if (port != other && bindable("127.0.0.1", port) && bindable("127.0.0.2", port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free UDP port on 127.0.0.1 and 127.0.0.2 in 20000-29999");
    }

    private static boolean bindable(String address, int port) {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, port))) {
            return true;
        } catch (SocketException e) {
            return false;
        }
    }
}
