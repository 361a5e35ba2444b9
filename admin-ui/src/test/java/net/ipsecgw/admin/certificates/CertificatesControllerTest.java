package net.ipsecgw.admin.certificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.reactive.server.SecurityMockServerConfigurers.csrf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.ipsecgw.ike.crypto.pki.Pem;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Bean;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.reactive.server.WebTestClient;

@WebFluxTest(CertificatesController.class)
@WithMockUser
class CertificatesControllerTest {
    static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("certificates-test");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @TestConfiguration
    static class Store {
        @Bean
        CertificateStore certificateStore() {
            return new CertificateStore(DIR);
        }
    }

    @Autowired
    WebTestClient client;

    private WebTestClient.ResponseSpec post(String path, Object body) {
        return client.mutateWith(csrf()).post().uri(path).bodyValue(body).exchange();
    }

    @Test
    void generatesACaIssuesFromItAndListsBothWithoutKeys() throws Exception {
        post("/api/certificates/authorities", Map.of("name", "root", "commonName", "Test Root", "validityDays", 365))
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.authority")
                .isEqualTo(true);
        post(
                        "/api/certificates/issued",
                        Map.of(
                                "name",
                                "gw-a",
                                "ca",
                                "root",
                                "commonName",
                                "gw-a.example.net",
                                "subjectAltNames",
                                List.of("gw-a.example.net", "192.0.2.1"),
                                "validityDays",
                                90))
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.issuer")
                .isEqualTo("CN=Test Root");
        client.get()
                .uri("/api/certificates")
                .exchange()
                .expectBody()
                .jsonPath("$[?(@.name=='gw-a')].hasPrivateKey")
                .isEqualTo(List.of(true));
        String pem = client.get()
                .uri("/api/certificates/gw-a")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(pem).contains("BEGIN CERTIFICATE").doesNotContain("PRIVATE KEY");
        var cert = Pem.readCertificate(pem);
        cert.verify(Pem.readCertificate(Files.readString(DIR.resolve("root.crt.pem")))
                .getPublicKey());
        assertThat(cert.getSubjectAlternativeNames()).hasSize(2);
    }

    @Test
    void importRejectsTextThatIsNoCertificate() {
        post("/api/certificates", Map.of("name", "junk", "pem", "hello"))
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error")
                .value(e -> assertThat((String) e).contains("certificate"));
    }

    @Test
    void importStoresAPemCertificate() {
        String pem = X509Factory.selfSigned(
                        "imported.example", List.of("imported.example"), java.time.Duration.ofDays(1))
                .certificatePem();
        post("/api/certificates", Map.of("name", "imported", "pem", pem))
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.subject")
                .isEqualTo("CN=imported.example")
                .jsonPath("$.hasPrivateKey")
                .isEqualTo(false);
    }

    @Test
    void badNamesAndMissingFieldsAreRejected() {
        post("/api/certificates/authorities", Map.of("name", "../etc", "commonName", "x", "validityDays", 1))
                .expectStatus()
                .isBadRequest();
        post("/api/certificates/authorities", Map.of("name", "ok", "commonName", "", "validityDays", 1))
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.field")
                .isEqualTo("commonName");
    }
}
