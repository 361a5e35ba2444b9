package net.ipsecgw.core.lane;

import java.util.List;

/**
 * Run in a child JVM by {@link LaneTransportUnavailableIT}: starts one lane on the transport named by
 * the first argument and prints the outcome on one line.
 */
public final class LaneStartProbe {
    private LaneStartProbe() {}

    public static void main(String[] args) {
        LaneTransport transport = LaneTransport.valueOf(args[0]);
        System.out.println("available=" + transport.isAvailable());
        try (LaneEventLoops lanes = LaneEventLoops.start(transport, List.of(0))) {
            System.out.println("started " + lanes);
        } catch (RuntimeException e) {
            System.out.println("failed " + e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
