package net.ipsecgw.admin.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.ipsecgw.admin.certificates.X509Factory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * HTTPS for the console when {@code console.tls.enabled}: the configured PEM certificate and key, or,
 * when those files do not exist yet, a self-signed certificate generated into them at first start.
 * Reactor Netty serves it through netty-tcnative's BoringSSL when that loads, else the JDK's TLS.
 */
@Component
class ConsoleTls implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory> {
    private static final Logger log = LoggerFactory.getLogger(ConsoleTls.class);

    private final ConsoleProperties.Tls tls;

    ConsoleTls(ConsoleProperties console) {
        this.tls = console.tls();
    }

    @Override
    public void customize(NettyReactiveWebServerFactory factory) {
        if (!tls.enabled()) {
            return;
        }
        if (tls.certificate() == null || tls.privateKey() == null) {
            throw new InvalidConfigurationException(
                    "console.tls", "enabled needs certificate and private-key (files, generated if missing)", null);
        }
        if (!Files.exists(tls.certificate()) || !Files.exists(tls.privateKey())) {
            generate(tls.certificate(), tls.privateKey());
        }
        Ssl ssl = new Ssl();
        ssl.setEnabled(true);
        ssl.setCertificate(tls.certificate().toAbsolutePath().toString());
        ssl.setCertificatePrivateKey(tls.privateKey().toAbsolutePath().toString());
        factory.setSsl(ssl);
        log.info("console on HTTPS with {} ({})", tls.certificate(), engine());
    }

    private static void generate(Path certificate, Path privateKey) {
        String host = hostName();
        X509Factory.Issued issued =
                X509Factory.selfSigned(host, List.of(host, "localhost", "127.0.0.1", "::1"), Duration.ofDays(825));
        try {
            AtomicFiles.replace(privateKey, issued.privateKeyPem().getBytes(StandardCharsets.US_ASCII));
            AtomicFiles.replace(certificate, issued.certificatePem().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the console's self-signed certificate", e);
        }
        log.warn(
                "generated a self-signed console certificate for {} into {}; replace it with one your browsers trust",
                host,
                certificate);
    }

    /** Which TLS implementation Netty will use. */
    static String engine() {
        return io.netty.handler.ssl.OpenSsl.isAvailable()
                ? "OpenSSL API: " + io.netty.handler.ssl.OpenSsl.versionString()
                : "JDK TLS; netty-tcnative did not load: " + io.netty.handler.ssl.OpenSsl.unavailabilityCause();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
