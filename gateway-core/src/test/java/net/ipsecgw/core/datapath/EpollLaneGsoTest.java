package net.ipsecgw.core.datapath;

import net.ipsecgw.natt.UdpTransport;

/** A lane's UDP GSO sends on the epoll transport. */
class EpollLaneGsoTest extends AbstractLaneGsoTest {
    @Override
    protected UdpTransport transport() {
        return UdpTransport.EPOLL;
    }
}
