package net.ipsecgw.admin.connections;

import net.ipsecgw.admin.system.ApplianceProperties;
import net.ipsecgw.core.config.GatewayConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The connection store, saving to {@code appliance.connections-file}. */
@Configuration(proxyBeanMethods = false)
class ConnectionsConfiguration {
    @Bean
    ConnectionStore connectionStore(ApplianceProperties appliance, GatewayConfig config) {
        return new ConnectionStore(appliance.connectionsFile(), config);
    }
}
