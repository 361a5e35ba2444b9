package net.ipsecgw.core.tun;

import net.ipsecgw.core.lane.LaneTransport;

class EpollTunQueueIoIT extends AbstractTunQueueIoIT {
    @Override
    LaneTransport transport() {
        return LaneTransport.EPOLL;
    }
}
