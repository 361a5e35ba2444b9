package net.ipsecgw.admin.tunnels;

import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.reactive.server.SecurityMockServerConfigurers.csrf;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.ipsecgw.admin.gateway.DataPathStatus;
import net.ipsecgw.admin.gateway.GatewayControl;
import net.ipsecgw.admin.gateway.IkeUnavailableException;
import net.ipsecgw.admin.gateway.SimulatedGateway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.test.StepVerifier;

@WebFluxTest(TunnelsController.class)
@WithMockUser
class TunnelsControllerTest {
    @TestConfiguration
    static class Sampler {
        @Bean
        LaneLoadSampler laneLoadSampler() {
            return new LaneLoadSampler(new SimulatedGateway(List.of()), Duration.ofMillis(100), Duration.ofSeconds(10));
        }
    }

    @Autowired
    WebTestClient client;

    @MockitoBean
    GatewayControl gateway;

    @Test
    void statusSaysWhyNothingRuns() {
        when(gateway.status()).thenReturn(new DataPathStatus(false, "DEMO", false, "waits for the generator"));
        client.get()
                .uri("/api/status")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.running")
                .isEqualTo(false)
                .jsonPath("$.detail")
                .isEqualTo("waits for the generator");
    }

    @Test
    void tunnelsAndLanesComeFromTheGateway() {
        SimulatedGateway simulated = new SimulatedGateway(List.of());
        when(gateway.lanes()).thenReturn(simulated.lanes());
        client.get()
                .uri("/api/lanes")
                .exchange()
                .expectBody()
                .jsonPath("$.length()")
                .isEqualTo(4);
        when(gateway.tunnels()).thenReturn(List.of());
        client.get().uri("/api/tunnels").exchange().expectBody().json("[]");
    }

    @Test
    void actionWithoutIkeIsServiceUnavailableWithTheReason() {
        when(gateway.initiate("site-b"))
                .thenReturn(CompletableFuture.failedFuture(new IkeUnavailableException("initiate site-b")));
        client.mutateWith(csrf())
                .post()
                .uri("/api/tunnels/site-b/initiate")
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectBody()
                .jsonPath("$.error")
                .isEqualTo(new IkeUnavailableException("initiate site-b").getMessage());
    }

    @Test
    void actionOnAManualTunnelIsAConflictAndUnknownNamesAreNotFound() {
        when(gateway.rekey("manual"))
                .thenReturn(CompletableFuture.failedFuture(new IllegalArgumentException("manually keyed")));
        when(gateway.terminate("nobody"))
                .thenReturn(CompletableFuture.failedFuture(new java.util.NoSuchElementException("no connection")));
        client.mutateWith(csrf())
                .post()
                .uri("/api/tunnels/manual/rekey")
                .exchange()
                .expectStatus()
                .isEqualTo(409);
        client.mutateWith(csrf())
                .post()
                .uri("/api/tunnels/nobody/terminate")
                .exchange()
                .expectStatus()
                .isNotFound();
    }

    @Test
    void successfulActionIsNoContent() {
        when(gateway.terminate("site-b")).thenReturn(CompletableFuture.completedFuture(null));
        client.mutateWith(csrf())
                .post()
                .uri("/api/tunnels/site-b/terminate")
                .exchange()
                .expectStatus()
                .isNoContent();
    }

    @Test
    void loadStreamsServerSentEvents() {
        var body = client.get()
                .uri("/api/lanes/load")
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseBody();
        StepVerifier.create(body.take(2))
                .expectNextMatches(data -> data.contains("\"lanes\""))
                .expectNextCount(1)
                .thenCancel()
                .verify(Duration.ofSeconds(10));
    }
}
