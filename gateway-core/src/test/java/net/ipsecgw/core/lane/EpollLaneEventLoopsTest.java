package net.ipsecgw.core.lane;

class EpollLaneEventLoopsTest extends AbstractLaneEventLoopsTest {
    @Override
    LaneTransport transport() {
        return LaneTransport.EPOLL;
    }
}
