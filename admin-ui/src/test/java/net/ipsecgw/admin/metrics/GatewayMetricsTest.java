package net.ipsecgw.admin.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.ipsecgw.admin.gateway.IkeEvent;
import net.ipsecgw.admin.gateway.IkeEventLog;
import net.ipsecgw.admin.gateway.SimulatedGateway;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.Secret;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private static ConnectionConfig connection() {
        return ConnectionConfig.builder("site-b")
                .remoteAddress("192.0.2.2")
                .psk(Secret.valueOf("0123456789abcdef0123"))
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .build();
    }

    @Test
    void laneAndSaCountersAreLabelledAndMove() throws InterruptedException {
        GatewayMetrics metrics =
                new GatewayMetrics(new SimulatedGateway(List.of(connection())), registry, Duration.ofHours(1));
        metrics.refresh();
        String first = registry.scrape();
        double before = value(first, "ipsec_esp_packets_total\\{direction=\"in\",gateway=\"a\",lane=\"1\"}");
        Thread.sleep(300);
        String second = registry.scrape();
        assertThat(value(second, "ipsec_esp_packets_total\\{direction=\"in\",gateway=\"a\",lane=\"1\"}"))
                .isGreaterThan(before);
        assertThat(second)
                .contains("ipsec_esp_bytes_total{direction=\"out\",gateway=\"b\",lane=\"0\"}")
                .contains("ipsec_drops_total{gateway=\"a\",lane=\"1\",reason=\"replayed\"} 2.0")
                .contains("ipsec_sa_packets_total{direction=\"in\",gateway=\"a\",lane=\"0\",spi=\"0x")
                .contains("lane=\"fallback\"")
                .contains("ipsec_ike_sas{state=\"established\"} 1.0")
                .contains("ipsec_child_sas 3.0");
        metrics.destroy();
    }

    @Test
    void ikeEventsCountExchangesHandshakesRekeysAndDpd() {
        IkeEventLog log = new IkeEventLog(10);
        new IkeMetrics(registry, log);
        log.record(event(IkeEvent.Kind.EXCHANGE, "IKE_AUTH", true, Duration.ZERO));
        log.record(event(IkeEvent.Kind.EXCHANGE, "CREATE_CHILD_SA", false, Duration.ZERO));
        log.record(event(IkeEvent.Kind.ESTABLISHED, "", true, Duration.ofMillis(12)));
        log.record(event(IkeEvent.Kind.REKEY, "CHILD", true, Duration.ZERO));
        log.record(event(IkeEvent.Kind.DPD, "", false, Duration.ZERO));
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("ipsec_ike_exchanges_total{result=\"success\",type=\"IKE_AUTH\"} 1.0")
                .contains("ipsec_ike_exchanges_total{result=\"failure\",type=\"CREATE_CHILD_SA\"} 1.0")
                .contains("ipsec_ike_exchanges_total{result=\"success\",type=\"IKE_SA_INIT\"} 0.0")
                .contains("ipsec_ike_handshake_seconds_count 1")
                .contains("ipsec_ike_handshake_seconds_bucket{le=")
                .contains("ipsec_ike_rekeys_total{result=\"success\",sa=\"child\"} 1.0")
                .contains("ipsec_ike_dpd_total{result=\"dead\"} 1.0");
    }

    private static IkeEvent event(IkeEvent.Kind kind, String exchange, boolean success, Duration latency) {
        return new IkeEvent(java.time.Instant.now(), "a", "site-b", kind, exchange, success, latency, "test");
    }

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.E+]+)$").matcher(scrape);
        assertThat(m.find()).as("%s in%n%s", series, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
