package net.ipsecgw.core.interop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Self-test of {@link OurGatewayProcess}: our gateway starts in a lab namespace from the YAML it
 * writes (a PSK connection to gateway B), writes its status file, and stops on {@link
 * OurGatewayProcess#close()}; the lab's teardown leaves nothing behind. Negotiation itself is {@link
 * StrongSwanInteropIT}'s, once the IKE control plane exists.
 */
class OurGatewayProcessIT {
    @Test
    void startsFromItsConnectionConfigWritesStatusAndStops() {
        InteropLab.requireLab("the gateway process self-test");
        try (InteropLab lab = InteropLab.start(InteropLab.prefix("og"))) {
            LabTunnel tunnel = LabTunnel.psk("aes128gcm16-prfsha256-x25519", "aes128gcm16");
            OurGatewayProcess ours;
            try (OurGatewayProcess gateway = OurGatewayProcess.start(lab, "ga", tunnel.a())) {
                ours = gateway;
                assertTrue(gateway.log().contains("gateway up"), gateway.log());
                gateway.await(Duration.ofSeconds(5), "writing its status", () -> gateway.status()
                        .contains("lane="));
                assertTrue(gateway.alive());
            }
            assertFalse(ours.alive(), "stopped by close()");
        }
    }
}
