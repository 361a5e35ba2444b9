package net.ipsecgw.core.e2e;

/**
 * The tunnel end to end ({@link AbstractTunnelEndToEndIT}) with the lanes on io_uring and the TUN
 * devices opened with offloads (the default): TCP and UDP super-packets read from the TUN queue are
 * segmented before encryption, decrypted packets are coalesced before they are written, and still only
 * ESP in UDP crosses.
 */
class IoUringOffloadTunnelEndToEndIT extends AbstractTunnelEndToEndIT {
    IoUringOffloadTunnelEndToEndIT() {
        super("io_uring", "uo", true);
    }
}
