package net.ipsecgw.ike.sa;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import net.ipsecgw.ike.config.IkeSettings;
import net.ipsecgw.ike.dataplane.DataPlane;

/**
 * What every IKE SA of a gateway shares: the data path, time, randomness, the gateway-wide settings,
 * its own addresses and ports, and where events go. Owned by the control loop thread.
 *
 * @param dataPlane the data path
 * @param timers the control loop's clock and timers
 * @param random the source of SPIs, nonces and key exchange secrets (deterministic in tests)
 * @param settings gateway-wide IKE settings
 * @param localAddress the black address IKE is sent from
 * @param ikePort the IKE port (500 in production)
 * @param natTPort the NAT-T port (4500 in production)
 * @param events logs and metrics
 * @param childIds source of Child SA pair ids, unique in the gateway
 */
public record IkeContext(
        DataPlane dataPlane,
        Timers timers,
        SecureRandom random,
        IkeSettings settings,
        InetAddress localAddress,
        int ikePort,
        int natTPort,
        IkeEvents events,
        AtomicLong childIds) {

    /** A context with a fresh id source. */
    public IkeContext(
            DataPlane dataPlane,
            Timers timers,
            SecureRandom random,
            IkeSettings settings,
            InetAddress localAddress,
            int ikePort,
            int natTPort,
            IkeEvents events) {
        this(dataPlane, timers, random, settings, localAddress, ikePort, natTPort, events, new AtomicLong());
    }
}
