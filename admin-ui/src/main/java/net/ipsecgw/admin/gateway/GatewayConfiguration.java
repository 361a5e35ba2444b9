package net.ipsecgw.admin.gateway;

import net.ipsecgw.admin.system.ApplianceProperties;
import net.ipsecgw.admin.system.GatewayProperties;
import net.ipsecgw.core.config.GatewayConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gateway's configuration, its data path as the profile chooses it, and the service over both. */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {
    @Bean
    GatewayConfig gatewayConfig(GatewayProperties properties) {
        return properties.toConfig();
    }

    @Bean
    IkeEventLog ikeEventLog() {
        return new IkeEventLog(500);
    }

    @Bean
    GatewayService gatewayService(GatewayConfig config, ApplianceProperties appliance, IkeEventLog events) {
        return new GatewayService(config, appliance.dataPath().name(), launcher(appliance), events);
    }

    private static DataPathLauncher launcher(ApplianceProperties appliance) {
        return switch (appliance.dataPath()) {
            case NONE ->
                config -> {
                    throw new DataPathUnavailableException("no data path configured (appliance.data-path: none)");
                };
            case DEMO -> new DemoDataPath();
            case TUN -> new TunDataPath();
            case LAB -> new LabDataPath(appliance.stateDirectory());
        };
    }
}
