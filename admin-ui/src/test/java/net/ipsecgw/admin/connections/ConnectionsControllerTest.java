package net.ipsecgw.admin.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.reactive.server.SecurityMockServerConfigurers.csrf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import net.ipsecgw.admin.gateway.GatewayControl;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.GatewayConfigLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Bean;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

@WebFluxTest(ConnectionsController.class)
@WithMockUser
class ConnectionsControllerTest {
    static final Path FILE;

    static {
        try {
            FILE = Files.createTempDirectory("connections-test").resolve("connections.yml");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @TestConfiguration
    static class Store {
        @Bean
        ConnectionStore connectionStore() {
            return new ConnectionStore(FILE, new GatewayConfig(null, null, null, null, null, null));
        }
    }

    @Autowired
    WebTestClient client;

    @Autowired
    ConnectionStore store;

    @MockitoBean
    GatewayControl gateway;

    @BeforeEach
    void gatewayRunsWhatIsSaved() {
        when(gateway.reloadConnections(anyList())).thenReturn(CompletableFuture.completedFuture(null));
    }

    private WebTestClient.ResponseSpec post(Map<String, Object> form) {
        return client.mutateWith(csrf())
                .post()
                .uri("/api/connections")
                .bodyValue(form)
                .exchange();
    }

    @Test
    void badFieldIsAnsweredWithItsNameAndNothingIsSaved() {
        Map<String, Object> form = ConnectionFormTest.valid();
        form.put("name", "bad-one");
        form.put("remote-address", "not-an-ip");
        post(form)
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.field")
                .isEqualTo("remote-address")
                .jsonPath("$.problem")
                .value(p -> assertThat((String) p).contains("neither an IP address"));
        assertThat(store.find("bad-one")).isEmpty();
    }

    @Test
    void validConnectionIsSavedHandedToTheGatewayAndItsSecretNotShown() {
        Map<String, Object> form = ConnectionFormTest.valid();
        form.put("name", "created");
        post(form)
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.name")
                .isEqualTo("created")
                .jsonPath("$.psk")
                .doesNotExist()
                .jsonPath("$.psk-set")
                .isEqualTo(true)
                .jsonPath("$.applied")
                .isEqualTo(true);
        assertThat(GatewayConfigLoader.load(FILE).connections())
                .anySatisfy(c -> assertThat(c.name()).isEqualTo("created"));
        verify(gateway).reloadConnections(anyList());
        post(form)
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.field")
                .isEqualTo("name");
    }

    @Test
    void savedButNotRunningSaysSoInsteadOfClaimingSuccess() {
        when(gateway.reloadConnections(anyList()))
                .thenReturn(CompletableFuture.failedFuture(
                        new IllegalStateException("saved; applied at the next start (no IKE control plane runs)")));
        Map<String, Object> form = ConnectionFormTest.valid();
        form.put("name", "later");
        post(form)
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.applied")
                .isEqualTo(false)
                .jsonPath("$.note")
                .isEqualTo("saved; applied at the next start (no IKE control plane runs)");
        assertThat(store.find("later")).isPresent();
    }

    @Test
    void editWithoutPskKeepsTheStoredOneAndDeleteRemoves() {
        Map<String, Object> form = ConnectionFormTest.valid();
        form.put("name", "edited");
        post(form).expectStatus().isCreated();
        form.put("psk", "");
        form.put("remote-port", "4500");
        client.mutateWith(csrf())
                .put()
                .uri("/api/connections/edited")
                .bodyValue(form)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.remote-port")
                .isEqualTo(4500);
        assertThat(store.find("edited").orElseThrow().psk())
                .isEqualTo(ConnectionForm.bind(ConnectionFormTest.valid()).psk());
        client.mutateWith(csrf())
                .delete()
                .uri("/api/connections/edited")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.name")
                .isEqualTo("edited")
                .jsonPath("$.applied")
                .isEqualTo(true);
        client.mutateWith(csrf())
                .delete()
                .uri("/api/connections/edited")
                .exchange()
                .expectStatus()
                .isNotFound();
    }

    @Test
    void changesNeedTheCsrfToken() {
        client.post()
                .uri("/api/connections")
                .bodyValue(ConnectionFormTest.valid())
                .exchange()
                .expectStatus()
                .isForbidden();
    }
}
