package net.ipsecgw.admin.tunnels;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.ipsecgw.admin.gateway.SimulatedGateway;
import org.junit.jupiter.api.Test;

class LaneLoadSamplerTest {
    @Test
    void samplesEveryLaneAsRatesAndReplaysTheWindowToNewSubscribers() throws InterruptedException {
        LaneLoadSampler sampler =
                new LaneLoadSampler(new SimulatedGateway(List.of()), Duration.ofHours(1), Duration.ofHours(2));
        sampler.sample();
        Thread.sleep(200);
        sampler.sample();
        List<LaneLoadSampler.LoadSample> samples =
                sampler.samples().take(2).collectList().block(Duration.ofSeconds(5));
        assertThat(samples).hasSize(2);
        assertThat(samples.get(1).lanes()).hasSize(4).allSatisfy(lane -> assertThat(lane.inPps())
                .isPositive());
        sampler.destroy();
    }
}
