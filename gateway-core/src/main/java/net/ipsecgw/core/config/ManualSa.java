package net.ipsecgw.core.config;

import net.ipsecgw.esp.KeyMaterial;
import net.ipsecgw.ike.config.ConfigValueException;

/**
 * One manually keyed SA direction.
 *
 * @param spi the SPI (written in hex as {@code 0x...} or decimal; 256 to 2^32-1)
 * @param key the keying material in hex: the cipher key followed by the 4-byte salt
 * @param lane the lane of a per-CPU SA, or null for the fallback SA (outbound) / any (inbound)
 */
public record ManualSa(long spi, KeyMaterial key, Integer lane) {

    /**
     * Checks the SPI range, the key's presence and the lane.
     *
     * @throws ConfigValueException naming the field that is missing or wrong
     */
    public ManualSa {
        if (spi < 256 || spi > 0xFFFF_FFFFL) {
            throw new ConfigValueException(
                    "spi", "must be 0x100-0xffffffff (RFC 4303 reserves 0-255), got 0x" + Long.toHexString(spi));
        }
        if (key == null) {
            throw new ConfigValueException("key", "must be given (the cipher key followed by the 4-byte salt, in hex)");
        }
        if (lane != null && lane < 0) {
            throw new ConfigValueException("lane", "must not be negative, got " + lane);
        }
    }

    /** The SPI as the packet carries it. */
    public int wireSpi() {
        return (int) spi;
    }
}
