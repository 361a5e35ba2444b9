package net.ipsecgw.esp;

import java.util.Objects;

/**
 * Everything that defines one direction of an ESP SA: what IKE negotiated (or manual keying set).
 *
 * @param spi the SPI as on the wire (RFC 4303 §2.1); 1-255 are reserved and 0 is never used
 * @param suite the AEAD transform
 * @param keys the key followed by the salt
 * @param esn whether 64-bit extended sequence numbers are used (RFC 4304)
 * @param replayWindow inbound anti-replay window size in packets, 0 to disable anti-replay (ignored outbound)
 * @param lifetime soft and hard limits
 */
public record SaParameters(
        int spi, EspCipherSuite suite, KeyMaterial keys, boolean esn, int replayWindow, SaLifetime lifetime) {

    /** Checks the SPI range, the key length and the window size. */
    public SaParameters {
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(lifetime, "lifetime");
        if (Integer.compareUnsigned(spi, 256) < 0) {
            throw new IllegalArgumentException(
                    "SPI " + Integer.toUnsignedString(spi) + " is reserved (RFC 4303 §2.1: 0-255)");
        }
        keys.checkFor(suite);
        if (replayWindow < 0 || replayWindow > ReplayWindow.MAX_SIZE) {
            throw new IllegalArgumentException("replay window must be 0 (anti-replay off) to " + ReplayWindow.MAX_SIZE
                    + " packets, got " + replayWindow);
        }
    }

    /** Parameters with the default replay window and no lifetime limits. */
    public static SaParameters of(int spi, EspCipherSuite suite, KeyMaterial keys, boolean esn) {
        return new SaParameters(spi, suite, keys, esn, ReplayWindow.DEFAULT_SIZE, SaLifetime.UNLIMITED);
    }
}
