package net.ipsecgw.natt;

/** The NAT-keepalive contract on the epoll transport. */
class EpollNatKeepalivesTest extends AbstractNatKeepalivesTest {
    @Override
    protected UdpTransport transport() {
        return UdpTransport.EPOLL;
    }
}
