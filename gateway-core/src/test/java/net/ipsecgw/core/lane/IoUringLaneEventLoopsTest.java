package net.ipsecgw.core.lane;

class IoUringLaneEventLoopsTest extends AbstractLaneEventLoopsTest {
    @Override
    LaneTransport transport() {
        return LaneTransport.IO_URING;
    }
}
