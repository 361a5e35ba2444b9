package net.ipsecgw.admin.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.core.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every bad configuration value stops start-up with a message naming its key and the reason, through
 * {@link ConfigurationFailureAnalyzer}, and never repeats a secret.
 */
class ConfigurationBindingTest {
    /** A valid connection, so that each case breaks exactly one value. */
    private static final String[] CONNECTION = {
        "gateway.connections[0].name=site-b",
        "gateway.connections[0].remote-address=192.0.2.2",
        "gateway.connections[0].psk=0123456789abcdef0123",
        "gateway.connections[0].local-ts=10.1.0.0/16",
        "gateway.connections[0].remote-ts=10.2.0.0/16",
    };

    private static final String[] VALID = {
        "appliance.state-directory=/tmp/x",
        "appliance.connections-file=/tmp/x/connections.yml",
        "appliance.data-path=none",
        "appliance.shutdown-timeout=10s",
        "console.admin-user=admin",
        "console.login.max-failures=5",
        "console.login.lockout=1m",
        "console.chart.interval=1s",
        "console.chart.window=5m",
        "console.tls.enabled=false",
    };

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({GatewayProperties.class, ApplianceProperties.class, ConsoleProperties.class})
    static class Binding {
        @Bean
        GatewayConfig gatewayConfig(GatewayProperties properties) {
            return properties.toConfig();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Binding.class);

    private static String[] with(String... values) {
        List<String> all = new ArrayList<>(List.of(VALID));
        all.addAll(List.of(CONNECTION));
        all.addAll(List.of(values));
        return all.toArray(String[]::new);
    }

    @Test
    void validConfigurationBinds() {
        runner.withPropertyValues(with()).run(context -> {
            assertThat(context).hasNotFailed();
            GatewayConfig config = context.getBean(GatewayConfig.class);
            assertThat(config.connections()).singleElement().satisfies(c -> assertThat(c.name())
                    .isEqualTo("site-b"));
            assertThat(context.getBean(ConsoleProperties.class).login().maxFailures())
                    .isEqualTo(5);
        });
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "gateway.black.port | 70000 | gateway.black.port | must be 1-65535",
                "gateway.black.address | not-an-address | gateway.black.address | is not an IP address",
                "gateway.black.keepalive | -5s | gateway.black.keepalive | must not be negative",
                "gateway.black.keepalive | soon | gateway.black.keepalive | cannot be read as Duration",
                "gateway.black.port-key | 1234 | gateway.black.port-key | must be 32 hexadecimal digits",
                "gateway.lanes.transport | dpdk | gateway.lanes.transport | is not one of EPOLL, IO_URING",
                "gateway.lanes.cpus | 1,1 | gateway.lanes.cpus | must be distinct",
                "gateway.red.tun-name | much-too-long-tun-name | gateway.red.tun-name | must be 1-15",
                "gateway.red.path-mtu | 100 | gateway.red.path-mtu | must be 576-65535",
                "gateway.ike.port | 0 | gateway.ike.port | must be 1-65535",
                "gateway.ike.retransmit-timeout | 1ms | gateway.ike.retransmit-timeout | at least 10ms",
                "gateway.connections[0].remote-port | 99999 | gateway.connections[0].remote-port | must be 1-65535",
                "gateway.connections[0].remote-address | nowhere | gateway.connections[0].remote-address | neither an IP",
                "gateway.connections[0].psk | too-short | gateway.connections[0].psk | use at least 16",
                "gateway.connections[0].local-ts | 10.1.0.0/99 | gateway.connections[0].local-ts[0] | ",
                "gateway.connections[0].esp-proposals | rot13 | gateway.connections[0].esp-proposals[0] | ",
                "gateway.connections[0].dpd-delay | -1s | gateway.connections[0].dpd-delay | must not be negative",
                "gateway.connections[0].start-action | sometimes | gateway.connections[0].start-action | is not one of",
                "gateway.connections[0].replay-window | lots | gateway.connections[0].replay-window | is not a number",
                "gateway.colour | blue | gateway.colour | not a known setting",
                "appliance.data-path | warp | appliance.data-path | is not one of NONE, DEMO, TUN, LAB",
                "appliance.shutdown-timeout | 1ms | appliance.shutdown-timeout | ",
                "console.admin-user | bad user | console.admin-user | must be 1-64 letters",
                "console.login.max-failures | 0 | console.login.max-failures | ",
                "console.login.lockout | 0s | console.login.lockout | ",
                "console.chart.interval | 0s | console.chart.interval | ",
                "console.chart.window | 2h | console.chart.window | ",
            })
    void badValueStopsStartUpNamingTheKey(String key, String value, String reportedKey, String reason) {
        runner.withPropertyValues(with(key + "=" + value)).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new ConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis)
                    .as("analysis of %s", context.getStartupFailure())
                    .isNotNull();
            assertThat(analysis.getDescription()).contains(reportedKey + ": ");
            if (reason != null) {
                assertThat(analysis.getDescription()).contains(reason);
            }
        });
    }

    @Test
    void duplicateConnectionNameIsNamedByItsIndex() {
        runner.withPropertyValues(with(
                        "gateway.connections[1].name=site-b",
                        "gateway.connections[1].remote-address=192.0.2.3",
                        "gateway.connections[1].psk=0123456789abcdef0123",
                        "gateway.connections[1].local-ts=10.1.0.0/16",
                        "gateway.connections[1].remote-ts=10.3.0.0/16"))
                .run(context -> {
                    FailureAnalysis analysis = new ConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("gateway.connections[1].name: ");
                });
    }

    @Test
    void malformedSecretIsNamedButNeverRepeated() {
        runner.withPropertyValues(with("gateway.connections[0].psk=0xNOTHEXATALLsecretish"))
                .run(context -> {
                    FailureAnalysis analysis = new ConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription())
                            .contains("gateway.connections[0].psk: ")
                            .doesNotContain("NOTHEXATALL");
                });
    }
}
