package net.ipsecgw.natt;

/** The reuseport group contract on the epoll transport. */
class EpollReuseportSocketGroupTest extends AbstractReuseportSocketGroupTest {
    @Override
    protected UdpTransport transport() {
        return UdpTransport.EPOLL;
    }
}
