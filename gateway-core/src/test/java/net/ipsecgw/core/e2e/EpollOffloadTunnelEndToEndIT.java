package net.ipsecgw.core.e2e;

/**
 * The tunnel end to end ({@link AbstractTunnelEndToEndIT}) with the lanes on epoll and the TUN devices
 * opened with TCP offloads: TCP super-packets read from the TUN queue are segmented before encryption,
 * decrypted segments are coalesced before they are written, and still only ESP in UDP crosses.
 */
class EpollOffloadTunnelEndToEndIT extends AbstractTunnelEndToEndIT {
    EpollOffloadTunnelEndToEndIT() {
        super("epoll", "eo", true);
    }
}
