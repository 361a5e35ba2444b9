package net.ipsecgw.admin.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The console's pages: plain HTML with a script each, which reads the REST API. */
@Configuration(proxyBeanMethods = false)
class Pages {
    @Bean
    RouterFunction<ServerResponse> pageRoutes() {
        return RouterFunctions.route()
                .GET("/", request -> page("index.html"))
                .GET("/login", request -> page("login.html"))
                .GET("/connections", request -> page("connections.html"))
                .GET("/certificates", request -> page("certificates.html"))
                .GET("/logs", request -> page("logs.html"))
                .build();
    }

    private static reactor.core.publisher.Mono<ServerResponse> page(String name) {
        return ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(new ClassPathResource("static/" + name));
    }
}
