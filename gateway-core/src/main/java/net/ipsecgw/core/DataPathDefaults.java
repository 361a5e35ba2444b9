package net.ipsecgw.core;

import io.netty.util.ResourceLeakDetector;

/**
 * Process-wide settings a gateway process applies before it starts its lanes.
 *
 * <p>Netty's buffer leak detector samples one buffer in 128 by default ({@code SIMPLE}) and records a
 * stack trace for it at allocation and release: measured on a lane with TUN offloads, about 2% of the
 * lane's CPU at 150,000 packets/s. The lanes release every buffer on one thread by construction, and
 * the test suite runs with the detector at {@code paranoid}, so a gateway process turns it off unless
 * the operator chose a level with {@code -Dio.netty.leakDetection.level}.
 */
public final class DataPathDefaults {
    private DataPathDefaults() {}

    /** Applies the defaults; call first thing in a process's {@code main}. */
    public static void apply() {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }
}
