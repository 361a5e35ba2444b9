package net.ipsecgw.natt;

/** The NAT-keepalive contract on the io_uring transport. */
class IoUringNatKeepalivesTest extends AbstractNatKeepalivesTest {
    @Override
    protected UdpTransport transport() {
        return UdpTransport.IO_URING;
    }
}
