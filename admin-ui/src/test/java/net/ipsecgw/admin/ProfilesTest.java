package net.ipsecgw.admin;

import static org.assertj.core.api.Assertions.assertThat;

import net.ipsecgw.admin.system.ApplianceProperties;
import net.ipsecgw.admin.system.ConsoleProperties;
import net.ipsecgw.admin.system.GatewayProperties;
import net.ipsecgw.core.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** Each profile's files bind into a valid configuration, overriding only what differs. */
class ProfilesTest {
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({GatewayProperties.class, ApplianceProperties.class, ConsoleProperties.class})
    static class BindOnly {}

    private static ConfigurableApplicationContext bind(String profile) {
        return new SpringApplicationBuilder(BindOnly.class)
                .web(WebApplicationType.NONE)
                .profiles(profile)
                .run("--appliance.connections-file=/nonexistent/connections.yml");
    }

    @Test
    void demoRunsTwoLoopbackGatewaysWithoutRoot() {
        try (var context = bind("demo")) {
            GatewayConfig config = context.getBean(GatewayProperties.class).toConfig();
            assertThat(config.black().address()).isEqualTo("127.0.0.1");
            assertThat(config.black().port()).isGreaterThan(1024);
            assertThat(config.ike().port()).isGreaterThan(1024);
            assertThat(config.connections()).singleElement().satisfies(c -> {
                assertThat(c.remoteAddress()).isEqualTo("127.0.0.2");
                assertThat(c.perCpuSas()).isTrue();
                assertThat(c.multiport()).isTrue();
            });
            assertThat(context.getBean(ApplianceProperties.class).dataPath())
                    .isEqualTo(ApplianceProperties.DataPath.DEMO);
            assertThat(context.getBean(ConsoleProperties.class).tls().enabled()).isFalse();
        }
    }

    @Test
    void labUsesTheLabTopologyOnTun() {
        try (var context = bind("lab")) {
            GatewayConfig config = context.getBean(GatewayProperties.class).toConfig();
            assertThat(config.black().address()).isEqualTo("10.201.0.1");
            assertThat(config.connections()).singleElement().satisfies(c -> {
                assertThat(c.remoteAddress()).isEqualTo("10.201.0.2");
                assertThat(c.perCpuSas()).isTrue();
                assertThat(c.multiport()).isTrue();
            });
            assertThat(context.getBean(ApplianceProperties.class).dataPath())
                    .isEqualTo(ApplianceProperties.DataPath.LAB);
        }
    }

    @Test
    void applianceReadsEtcAndServesHttps() {
        try (var context = new SpringApplicationBuilder(BindOnly.class)
                .web(WebApplicationType.NONE)
                .profiles("appliance")
                .run()) {
            ApplianceProperties appliance = context.getBean(ApplianceProperties.class);
            assertThat(appliance.connectionsFile()).hasToString("/etc/ipsec-gateway/connections.yml");
            assertThat(appliance.stateDirectory()).hasToString("/var/lib/ipsec-gateway");
            assertThat(context.getBean(ConsoleProperties.class).tls().enabled()).isTrue();
            assertThat(context.getBean(GatewayProperties.class).toConfig().connections())
                    .isEmpty();
            assertThat(context.getEnvironment().getProperty("server.reactive.session.cookie.secure"))
                    .isEqualTo("true");
        }
    }
}
