package net.ipsecgw.core.e2e;

/**
 * The tunnel end to end ({@link AbstractTunnelEndToEndIT}: ping both ways, a 16-stream iperf3 transfer
 * with only ESP in UDP on the black link, both lanes busy and every SA on one lane) with the lanes on
 * io_uring.
 */
class IoUringTunnelEndToEndIT extends AbstractTunnelEndToEndIT {
    IoUringTunnelEndToEndIT() {
        super("io_uring", "eu");
    }
}
