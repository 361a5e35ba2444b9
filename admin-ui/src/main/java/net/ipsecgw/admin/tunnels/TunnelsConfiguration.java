package net.ipsecgw.admin.tunnels;

import net.ipsecgw.admin.gateway.GatewayControl;
import net.ipsecgw.admin.system.ConsoleProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The live load sampler, at the console's chart interval and window. */
@Configuration(proxyBeanMethods = false)
class TunnelsConfiguration {
    @Bean
    LaneLoadSampler laneLoadSampler(GatewayControl gateway, ConsoleProperties console) {
        return new LaneLoadSampler(
                gateway, console.chart().interval(), console.chart().window());
    }
}
