package net.ipsecgw.ike.dataplane;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * What the data path reports to the IKE control plane. The data path calls these on the control
 * loop's thread (lanes submit to it; they never call the control plane directly).
 */
public interface DataPlaneListener {
    /** A pair reached its soft ({@code hard == false}: rekey it) or hard (stop using it) lifetime. */
    void expired(long id, boolean hard);

    /**
     * Lane {@code lane} has traffic for {@code tunnel} and no per-CPU pair of its own (it uses the
     * fallback pair, or drops the packet when there is none). Reported at most once per second per
     * lane and tunnel.
     */
    void acquire(String tunnel, int lane);

    /**
     * An IKE message arrived: on port 500, or on the NAT-T port with the non-ESP marker already
     * removed. {@code local} is the address it was received on. The listener owns {@code message}.
     */
    void ikeReceived(ByteBuf message, InetSocketAddress local, InetSocketAddress remote);
}
