package net.ipsecgw.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * The whole application in the {@code demo} profile, over HTTP: login, CSRF, throttling, secure
 * headers, the API behind the same login, the OpenAPI document, the Prometheus endpoint, and that the
 * demo's data path says why it does not run yet instead of pretending.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@ActiveProfiles("demo")
@ExtendWith(OutputCaptureExtension.class)
class DemoProfileApplicationTest {
    static final String PASSWORD = "correct-horse-battery";
    static final String DEMO_PSK = "demo-psk-not-for-production-use";

    @DynamicPropertySource
    static void state(DynamicPropertyRegistry registry) throws Exception {
        Path state = Files.createTempDirectory("demo-state");
        registry.add("appliance.state-directory", state::toString);
        registry.add("console.initial-password", () -> PASSWORD);
    }

    @Autowired
    WebTestClient client;

    private WebTestClient basic() {
        return client.mutate()
                .defaultHeaders(h -> h.setBasicAuth("admin", PASSWORD))
                .build();
    }

    /** Logs in with the form, as a browser does; returns the session and CSRF cookies. */
    private MultiValueMap<String, String> login(String user, String password, String expectedLocation) {
        EntityExchangeResult<byte[]> page = client.get()
                .uri("/login")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult();
        ResponseCookie csrf = page.getResponseCookies().getFirst("XSRF-TOKEN");
        assertThat(csrf).as("CSRF cookie on the login page").isNotNull();
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("username", user);
        form.add("password", password);
        form.add("_csrf", csrf.getValue());
        EntityExchangeResult<byte[]> result = client.post()
                .uri("/login")
                .cookie("XSRF-TOKEN", csrf.getValue())
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(BodyInserters.fromFormData(form))
                .exchange()
                .expectStatus()
                .is3xxRedirection()
                .expectBody()
                .returnResult();
        assertThat(result.getResponseHeaders().getLocation()).hasToString(expectedLocation);
        MultiValueMap<String, String> cookies = new LinkedMultiValueMap<>();
        cookies.add("XSRF-TOKEN", csrf.getValue());
        ResponseCookie session = result.getResponseCookies().getFirst("SESSION");
        if (session != null) {
            cookies.add("SESSION", session.getValue());
        }
        return cookies;
    }

    @Test
    void pagesNeedALoginAndTheApiSays401() {
        client.get().uri("/").exchange().expectStatus().isFound().expectHeader().location("/login");
        client.get().uri("/api/tunnels").exchange().expectStatus().isUnauthorized();
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isUnauthorized();
        client.get().uri("/actuator/health").exchange().expectStatus().isOk();
    }

    @Test
    void loginPageCarriesSecureHeaders() {
        client.get()
                .uri("/login")
                .exchange()
                .expectHeader()
                .valueMatches("Content-Security-Policy", ".*default-src 'self'.*frame-ancestors 'none'.*")
                .expectHeader()
                .valueEquals("X-Frame-Options", "DENY")
                .expectHeader()
                .valueEquals("X-Content-Type-Options", "nosniff")
                .expectHeader()
                .valueEquals("Referrer-Policy", "no-referrer");
    }

    @Test
    void formLoginOpensASessionWhoseChangesNeedTheCsrfToken() {
        MultiValueMap<String, String> cookies = login("admin", PASSWORD, "/");
        client.get()
                .uri("/api/status")
                .cookies(c -> c.addAll(cookies))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.running")
                .isEqualTo(false)
                .jsonPath("$.detail")
                .value(detail -> assertThat((String) detail).contains("generator"));
        client.post()
                .uri("/api/tunnels/demo-ab/rekey")
                .cookies(c -> c.addAll(cookies))
                .exchange()
                .expectStatus()
                .isForbidden();
        client.post()
                .uri("/api/tunnels/demo-ab/rekey")
                .cookies(c -> c.addAll(cookies))
                .header("X-XSRF-TOKEN", cookies.getFirst("XSRF-TOKEN"))
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectBody()
                .jsonPath("$.error")
                .value(error -> assertThat((String) error).contains("IKE control plane"));
    }

    @Test
    void repeatedFailuresLockTheNameOut() {
        for (int i = 0; i < 5; i++) {
            login("mallory", "guess-" + i, "/login?error");
        }
        login("mallory", "guess-again", "/login?locked");
    }

    @Test
    void apiClientsUseBasicWithoutCsrfAndNeverSeeSecrets(CapturedOutput output) {
        basic().get()
                .uri("/api/connections")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body)
                        .contains("demo-ab")
                        .contains("\"psk-set\":true")
                        .doesNotContain(DEMO_PSK));
        Map<String, Object> form = Map.of(
                "name",
                "via-api",
                "remote-address",
                "192.0.2.7",
                "psk",
                "another-long-enough-key",
                "local-ts",
                java.util.List.of("10.5.0.0/16"),
                "remote-ts",
                java.util.List.of("10.6.0.0/16"));
        basic().post()
                .uri("/api/connections")
                .bodyValue(form)
                .exchange()
                .expectStatus()
                .isCreated();
        basic().get().uri("/api/tunnels").exchange().expectBody(String.class).value(body -> assertThat(body)
                .contains("via-api")
                .doesNotContain(DEMO_PSK));
        basic().get().uri("/actuator/env").exchange().expectStatus().isNotFound();
        assertThat(output.getAll()).doesNotContain(DEMO_PSK).doesNotContain("another-long-enough-key");
    }

    @Test
    void openApiDocumentDescribesTheApi() {
        basic().get()
                .uri("/v3/api-docs")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.openapi")
                .value(v -> assertThat((String) v).startsWith("3."))
                .jsonPath("$.paths['/api/connections'].post")
                .exists()
                .jsonPath("$.paths['/api/tunnels/{name}/initiate'].post")
                .exists()
                .jsonPath("$.paths['/api/certificates/authorities'].post")
                .exists()
                .jsonPath("$.paths['/api/events'].get")
                .exists();
    }

    @Test
    void prometheusEndpointServesTheGatewayMetrics() {
        basic().get()
                .uri("/actuator/prometheus")
                .accept(MediaType.TEXT_PLAIN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body)
                        .contains("ipsec_ike_exchanges_total{result=\"success\",type=\"IKE_AUTH\"}")
                        .contains("ipsec_ike_handshake_seconds_bucket")
                        .containsPattern("ipsec_ike_sas\\{state=\"unknown\"} [1-9]"));
    }

    @Test
    void consolePagesAreServedAfterLogin() {
        MultiValueMap<String, String> cookies = login("admin", PASSWORD, "/");
        for (String page : new String[] {"/", "/connections", "/certificates", "/logs"}) {
            client.get()
                    .uri(page)
                    .cookies(c -> c.addAll(cookies))
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectHeader()
                    .contentTypeCompatibleWith(MediaType.TEXT_HTML)
                    .expectHeader()
                    .valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, max-age=0, must-revalidate");
        }
    }
}
