/**
 * Lanes: one pinned, single-threaded Netty event loop per CPU ({@link
 * net.ipsecgw.core.lane.LaneEventLoops}) on epoll or io_uring ({@link
 * net.ipsecgw.core.lane.LaneTransport}). A lane's sockets, TUN queue and SAs are all registered on its
 * one loop, so its data path needs no lock and no hand-off.
 */
package net.ipsecgw.core.lane;
