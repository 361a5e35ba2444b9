package net.ipsecgw.admin.gateway;

import java.util.List;
import net.ipsecgw.core.datapath.Lane;

/**
 * The gateways a data path runs (one, or two in the demo) and their IKE control plane. Closing it
 * deletes the IKE SAs (while the lanes can still send), then stops the lanes and closes sockets and
 * TUN devices.
 */
public interface RunningGateways extends AutoCloseable {
    /** The gateways, the console's own ({@code a}) first. */
    List<Member> gateways();

    /** Their IKE control plane, or {@link IkeUnavailable}. */
    IkeControl ike();

    /** One line saying what runs. */
    String describe();

    @Override
    void close();

    /**
     * One gateway.
     *
     * @param name its name in the console ({@code a}, {@code b})
     * @param lanes its lanes (the lanes' own counters and tables, read without locks)
     * @param sourcePorts each lane's encapsulation source port (empty without multiport)
     * @param natTPort the port-4500 socket group's port
     */
    record Member(String name, List<Lane> lanes, int[] sourcePorts, int natTPort) {
        /** Copies. */
        public Member {
            lanes = List.copyOf(lanes);
            sourcePorts = sourcePorts.clone();
        }

        /** The source port lane {@code lane} sends per-CPU SAs from. */
        public int sourcePort(int lane) {
            return lane >= 0 && lane < sourcePorts.length ? sourcePorts[lane] : natTPort;
        }
    }
}
