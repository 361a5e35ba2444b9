package net.ipsecgw.admin.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import net.ipsecgw.admin.gateway.IkeEvent;
import net.ipsecgw.admin.gateway.IkeEventLog;

/**
 * IKE's metrics, counted from its events (the control plane's, not the packet path):
 *
 * <pre>
 *   ipsec_ike_exchanges_total{type,result}     exchanges by type and outcome
 *   ipsec_ike_handshake_seconds{...}           IKE_SA_INIT to established, as a histogram
 *   ipsec_ike_rekeys_total{sa,result}          IKE and Child SA rekeys
 *   ipsec_ike_dpd_total{result}                dead peer detection: alive, dead
 * </pre>
 */
public final class IkeMetrics {
    private static final List<String> EXCHANGES =
            List.of("IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA", "INFORMATIONAL");

    private final MeterRegistry registry;
    private final Timer handshakes;

    /** Registers the meters and counts the events {@code log} records from now on. */
    public IkeMetrics(MeterRegistry registry, IkeEventLog log) {
        this.registry = registry;
        this.handshakes = Timer.builder("ipsec.ike.handshake")
                .description("Time from the first IKE_SA_INIT request to the IKE SA being established")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        for (String type : EXCHANGES) {
            exchanges(type, true);
            exchanges(type, false);
        }
        log.addListener(this::count);
    }

    private void count(IkeEvent event) {
        switch (event.kind()) {
            case EXCHANGE -> exchanges(event.exchange(), event.success()).increment();
            case ESTABLISHED -> handshakes.record(event.latency());
            case REKEY ->
                counter(
                                "ipsec.ike.rekeys",
                                "sa",
                                event.exchange().toLowerCase(Locale.ROOT),
                                "result",
                                result(event.success()))
                        .increment();
            case DPD ->
                counter("ipsec.ike.dpd", "result", event.success() ? "alive" : "dead")
                        .increment();
            default -> {}
        }
    }

    private Counter exchanges(String type, boolean success) {
        return counter("ipsec.ike.exchanges", "type", type, "result", result(success));
    }

    private Counter counter(String name, String... tags) {
        return Counter.builder(name).tags(tags).register(registry);
    }

    private static String result(boolean success) {
        return success ? "success" : "failure";
    }
}
