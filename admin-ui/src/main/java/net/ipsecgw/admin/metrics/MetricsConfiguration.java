package net.ipsecgw.admin.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import net.ipsecgw.admin.gateway.GatewayControl;
import net.ipsecgw.admin.gateway.IkeEventLog;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gateway's and IKE's metrics in the application's meter registry (Prometheus). */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {
    @Bean
    GatewayMetrics gatewayMetrics(GatewayControl gateway, MeterRegistry registry) {
        return new GatewayMetrics(gateway, registry, Duration.ofSeconds(2));
    }

    @Bean
    IkeMetrics ikeMetrics(MeterRegistry registry, IkeEventLog log) {
        return new IkeMetrics(registry, log);
    }
}
