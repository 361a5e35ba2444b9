package net.ipsecgw.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import net.ipsecgw.ike.crypto.pki.Pem;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;

/**
 * The whole application in the {@code appliance} profile, its files moved to a temporary directory and
 * without a data path (TUN needs root): the console is served over HTTPS with a self-signed
 * certificate generated at first start, through netty-tcnative's BoringSSL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("appliance")
class ApplianceProfileApplicationTest {
    static Path dir;

    @DynamicPropertySource
    static void files(DynamicPropertyRegistry registry) throws Exception {
        dir = Files.createTempDirectory("appliance");
        registry.add("server.address", () -> "127.0.0.1");
        registry.add("appliance.state-directory", () -> dir.resolve("state").toString());
        registry.add("appliance.connections-file", () -> dir.resolve("etc/connections.yml")
                .toString());
        registry.add("appliance.data-path", () -> "none");
        registry.add("console.tls.certificate", () -> dir.resolve("etc/console/certificate.pem")
                .toString());
        registry.add("console.tls.private-key", () -> dir.resolve("etc/console/private-key.pem")
                .toString());
        registry.add("console.initial-password", () -> "installer-chosen-password");
    }

    @LocalServerPort
    int port;

    @Test
    void consoleIsServedOverHttpsWithAGeneratedSelfSignedCertificate() throws Exception {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative BoringSSL loads").isTrue();
        Path certificate = dir.resolve("etc/console/certificate.pem");
        X509Certificate cert = Pem.readCertificate(Files.readString(certificate));
        cert.verify(cert.getPublicKey());
        assertThat(Files.getPosixFilePermissions(dir.resolve("etc/console/private-key.pem")))
                .hasSize(2);

        SslContext trustAll = SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
        HttpClient https = HttpClient.create().secure(spec -> spec.sslContext(trustAll));
        WebTestClient client = WebTestClient.bindToServer(new ReactorClientHttpConnector(https))
                .baseUrl("https://127.0.0.1:" + port)
                .build();
        client.get()
                .uri("/login")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueMatches("Strict-Transport-Security", "max-age=\\d+.*");
        client.get()
                .uri("/api/status")
                .headers(h -> h.setBasicAuth("admin", "installer-chosen-password"))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.mode")
                .isEqualTo("NONE");
    }
}
