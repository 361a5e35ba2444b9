package net.ipsecgw.admin.system;

import java.util.List;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.TunnelConfig;
import net.ipsecgw.ike.config.ConfigValueException;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.IkeSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Binds gateway-core's {@link GatewayConfig} under the prefix {@code gateway}, the same keys as
 * {@code GatewayMain}'s YAML file. Each component is gateway-core's or ike's own record, which checks
 * its values in its constructor; this record only carries them to {@link #toConfig()}, which runs
 * {@link GatewayConfig}'s cross-checks (unique names and SPIs). Unknown keys under {@code gateway} are
 * errors, as in the file loader.
 *
 * @param lanes see {@link GatewayConfig#lanes()}
 * @param black see {@link GatewayConfig#black()}
 * @param red see {@link GatewayConfig#red()}
 * @param tunnels see {@link GatewayConfig#tunnels()}
 * @param ike see {@link GatewayConfig#ike()}
 * @param connections see {@link GatewayConfig#connections()}
 */
@ConfigurationProperties(prefix = GatewayProperties.PREFIX, ignoreUnknownFields = false)
public record GatewayProperties(
        GatewayConfig.Lanes lanes,
        GatewayConfig.Black black,
        GatewayConfig.Red red,
        List<TunnelConfig> tunnels,
        IkeSettings ike,
        List<ConnectionConfig> connections) {

    /** The key the gateway is configured under. */
    public static final String PREFIX = "gateway";

    /**
     * The checked configuration.
     *
     * @throws InvalidConfigurationException naming the key ({@code gateway.connections[1].name}) when
     *     the cross-checks fail
     */
    public GatewayConfig toConfig() {
        try {
            return new GatewayConfig(lanes, black, red, tunnels, ike, connections);
        } catch (ConfigValueException e) {
            throw new InvalidConfigurationException(PREFIX + "." + e.key(), e.problem(), e);
        }
    }
}
