package net.ipsecgw.core.datapath;

import net.ipsecgw.natt.UdpTransport;

/** A lane's UDP GSO sends on the io_uring transport. */
class IoUringLaneGsoTest extends AbstractLaneGsoTest {
    @Override
    protected UdpTransport transport() {
        return UdpTransport.IO_URING;
    }
}
