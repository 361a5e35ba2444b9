package net.ipsecgw.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.linux.CpuAffinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
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
 * The whole application in the {@code demo} profile, over HTTP, with the demo's real data path: two
 * gateways in this JVM (127.0.0.1, 127.0.0.2) in generator mode, each with its IKE service. Login,
 * CSRF, throttling, secure headers, the API behind the same login, the OpenAPI document; both demo
 * tunnels established with the fallback Child SA and one per lane on distinct source ports; terminate,
 * initiate and rekey through the API; Prometheus counters that move and are labelled per lane.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@ActiveProfiles("demo")
@ExtendWith(OutputCaptureExtension.class)
class DemoProfileApplicationTest {
    static final String PASSWORD = "correct-horse-battery";
    static final DemoPorts PORTS = DemoPorts.pick();

    @DynamicPropertySource
    static void state(DynamicPropertyRegistry registry) throws Exception {
        Path state = Files.createTempDirectory("demo-state");
        registry.add("appliance.state-directory", state::toString);
        registry.add("console.initial-password", () -> PASSWORD);
        // the leak detector checks every buffer access in tests: a gentler load keeps IKE's timers honest
        registry.add("gateway.red.generator.rate", () -> "200");
        PORTS.register(registry);
    }

    WebTestClient client;

    /** Actions answer when their exchange is done: allow for the leak detector's slow buffers. */
    @Autowired
    void client(WebTestClient autoconfigured) {
        client = autoconfigured.mutate().responseTimeout(Duration.ofSeconds(45)).build();
    }

    @Autowired
    GatewayConfig config;

    /** The demo's PSK, generated at this start. */
    private String demoPsk() {
        return new String(config.connections().getFirst().psk().bytes(), StandardCharsets.UTF_8);
    }

    /** One lane per CPU this process may run on, as the demo's gateways pin them. */
    private static int lanes() {
        return CpuAffinity.currentThreadCpus().cardinality();
    }

    private List<Map<String, Object>> tunnels() {
        return basic().get()
                .uri("/api/tunnels")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() {})
                .returnResult()
                .getResponseBody();
    }

    private Map<String, Object> tunnel(String gateway, String name) {
        return tunnels().stream()
                .filter(t -> t.get("gateway").equals(gateway) && t.get("name").equals(name))
                .findFirst()
                .orElse(Map.of("state", "ABSENT", "childSas", List.of()));
    }

    /**
     * Waits until {@code name} on {@code gateway} is established with one fallback SA and an SA on every
     * lane. RFC 9611 lets either peer add per-CPU SAs: when the initiator's are slow to come (this JVM
     * checks every buffer access for leaks), the responder adds its own, so a lane may have two.
     */
    private Map<String, Object> awaitEstablishedWithEveryLane(String gateway, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Map<String, Object> tunnel = tunnel(gateway, name);
            if (tunnel.get("state").equals("ESTABLISHED") && everyLaneCovered(tunnel)) {
                return tunnel;
            }
            assertThat(System.nanoTime())
                    .as(gateway + " " + name + " established with every lane: " + tunnel)
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static boolean everyLaneCovered(Map<String, Object> tunnel) {
        List<Object> lanes = childSas(tunnel).stream().map(sa -> sa.get("lane")).toList();
        return java.util.Collections.frequency(lanes, -1) == 1
                && java.util.stream.IntStream.range(0, lanes()).allMatch(lanes::contains);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> childSas(Map<String, Object> tunnel) {
        return (List<Map<String, Object>>) tunnel.get("childSas");
    }

    private String scrape() {
        return basic().get()
                .uri("/actuator/prometheus")
                .accept(MediaType.TEXT_PLAIN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
    }

    /** The value of the sample {@code name{labels}} in a scrape, or -1. */
    private static double sample(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$")
                .matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

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
    void formLoginOpensASessionWhoseChangesNeedTheCsrfToken() throws InterruptedException {
        MultiValueMap<String, String> cookies = login("admin", PASSWORD, "/");
        client.get()
                .uri("/api/status")
                .cookies(c -> c.addAll(cookies))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.running")
                .isEqualTo(true)
                .jsonPath("$.ike")
                .isEqualTo(true)
                .jsonPath("$.detail")
                .value(detail -> assertThat((String) detail).contains("generator"));
        client.post()
                .uri("/api/tunnels/demo-ab/rekey")
                .cookies(c -> c.addAll(cookies))
                .exchange()
                .expectStatus()
                .isForbidden();
        awaitEstablishedWithEveryLane("a", "demo-ab");
        client.post()
                .uri("/api/tunnels/demo-ab/rekey")
                .cookies(c -> c.addAll(cookies))
                .header("X-XSRF-TOKEN", cookies.getFirst("XSRF-TOKEN"))
                .exchange()
                .expectStatus()
                .is2xxSuccessful();
        assertThat(tunnel("a", "demo-ab").get("lastRekey")).as("rekeyed").isNotNull();
    }

    @Test
    void bothDemoTunnelsComeUpWithTheFallbackSaAndOnePerLaneOnDistinctSourcePorts() throws InterruptedException {
        Map<String, Object> a = awaitEstablishedWithEveryLane("a", "demo-ab");
        Map<String, Object> b = awaitEstablishedWithEveryLane("b", "demo-ba");
        assertThat(a.get("ikeSpis")).isEqualTo(b.get("ikeSpis"));
        List<Map<String, Object>> sasA = childSas(a);
        assertThat(sasA)
                .extracting(sa -> sa.get("lane"))
                .containsExactlyElementsOf(
                        java.util.stream.IntStream.range(-1, lanes()).boxed().toList());
        assertThat(sasA.getFirst().get("sourcePort"))
                .as("the fallback SA sends from the NAT-T port")
                .isEqualTo(PORTS.natT());
        for (int lane = 0; lane < lanes(); lane++) {
            int l = lane;
            assertThat(sasA.stream()
                            .filter(sa -> sa.get("lane").equals(l))
                            .map(sa -> sa.get("sourcePort"))
                            .distinct())
                    .as("lane " + lane + " sends from its own port")
                    .hasSize(1)
                    .doesNotContain(PORTS.natT());
        }
        assertThat(sasA.stream().skip(1).map(sa -> sa.get("sourcePort")).distinct())
                .as("one source port per lane")
                .hasSize(lanes());
        // what a sends on a lane's SA is what b receives on the mirrored one
        for (Map<String, Object> sa : sasA) {
            assertThat(childSas(b))
                    .anySatisfy(peer -> assertThat(peer.get("inboundSpi")).isEqualTo(sa.get("outboundSpi")));
        }
    }

    @Test
    void terminateTakesTheTunnelDownAndInitiateBringsItBackWithItsSas() throws InterruptedException {
        awaitEstablishedWithEveryLane("a", "demo-ab");
        basic().post()
                .uri("/api/tunnels/demo-ab/terminate")
                .exchange()
                .expectStatus()
                .isNoContent();
        assertThat(tunnel("a", "demo-ab").get("state")).isEqualTo("DOWN");
        basic().post()
                .uri("/api/tunnels/demo-ab/initiate")
                .exchange()
                .expectStatus()
                .isNoContent();
        assertThat(tunnel("a", "demo-ab").get("state")).isIn("ESTABLISHED", "REKEYING");
        awaitEstablishedWithEveryLane("a", "demo-ab");
        awaitEstablishedWithEveryLane("b", "demo-ba");
    }

    @Test
    void prometheusCountersMoveAndAreLabelledPerLane() throws InterruptedException {
        awaitEstablishedWithEveryLane("a", "demo-ab");
        String before = scrape();
        Thread.sleep(2500); // the per-SA meters refresh every 2 s
        String after = scrape();
        for (String gateway : List.of("a", "b")) {
            for (int lane = 0; lane < lanes(); lane++) {
                for (String direction : List.of("in", "out")) {
                    String labels = "direction=\"" + direction + "\",gateway=\"" + gateway + "\",lane=\"" + lane + "\"";
                    double first = sample(before, "ipsec_esp_packets_total", labels);
                    assertThat(first)
                            .as("ipsec_esp_packets_total{" + labels + "}")
                            .isPositive();
                    assertThat(sample(after, "ipsec_esp_packets_total", labels))
                            .as(labels)
                            .isGreaterThan(first);
                }
            }
        }
        assertThat(after)
                .containsPattern(
                        "ipsec_sa_packets_total\\{direction=\"out\",gateway=\"a\",lane=\"0\",spi=\"0x[0-9a-f]{8}\",tunnel=\"demo-ab\"} [1-9]")
                .containsPattern("ipsec_sa_packets_total\\{direction=\"in\",gateway=\"b\",lane=\"fallback\",spi=")
                .containsPattern("ipsec_ike_handshake_seconds_count [1-9]")
                .containsPattern("ipsec_ike_exchanges_total\\{result=\"success\",type=\"IKE_AUTH\"} [1-9]")
                .containsPattern("ipsec_ike_exchanges_total\\{result=\"success\",type=\"CREATE_CHILD_SA\"} [1-9]")
                .containsPattern("ipsec_ike_sas\\{state=\"established\"} [1-9]");
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
        String demoPsk = demoPsk();
        basic().get()
                .uri("/api/connections")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body)
                        .contains("demo-ab")
                        .contains("\"psk-set\":true")
                        .doesNotContain(demoPsk));
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
                .isCreated()
                .expectBody()
                .jsonPath("$.applied")
                .isEqualTo(true);
        basic().get().uri("/api/tunnels").exchange().expectBody(String.class).value(body -> assertThat(body)
                .contains("via-api")
                .doesNotContain(demoPsk));
        basic().get().uri("/actuator/env").exchange().expectStatus().isNotFound();
        assertThat(output.getAll()).doesNotContain(demoPsk).doesNotContain("another-long-enough-key");
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
