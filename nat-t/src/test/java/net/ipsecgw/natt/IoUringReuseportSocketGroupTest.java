package net.ipsecgw.natt;

/** The reuseport group contract on the io_uring transport. */
class IoUringReuseportSocketGroupTest extends AbstractReuseportSocketGroupTest {
    @Override
    protected UdpTransport transport() {
        return UdpTransport.IO_URING;
    }
}
