package net.ipsecgw.core.tun;

import net.ipsecgw.core.lane.LaneTransport;

class IoUringTunQueueIoIT extends AbstractTunQueueIoIT {
    @Override
    LaneTransport transport() {
        return LaneTransport.IO_URING;
    }
}
