package net.ipsecgw.admin.security;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import net.ipsecgw.admin.system.ApplianceProperties;
import net.ipsecgw.admin.system.ConsoleProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UserDetailsRepositoryReactiveAuthenticationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.DefaultServerRedirectStrategy;
import org.springframework.security.web.server.DelegatingServerAuthenticationEntryPoint;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.HttpBasicServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.HttpStatusServerEntryPoint;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.ServerAuthenticationFailureHandler;
import org.springframework.security.web.server.authentication.logout.RedirectServerLogoutSuccessHandler;
import org.springframework.security.web.server.csrf.CookieServerCsrfTokenRepository;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.security.web.server.csrf.ServerCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter;
import org.springframework.security.web.server.header.XFrameOptionsServerHttpHeadersWriter;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * Who may use the console and the API, and how. Everything but the login page, its stylesheet and the
 * health check needs a login. Browsers log in with a form and hold a session; API clients and the
 * Prometheus scraper may send HTTP Basic instead. State-changing requests from a session carry the
 * CSRF token (cookie {@code XSRF-TOKEN}, echoed in the {@code X-XSRF-TOKEN} header or the form's
 * {@code _csrf} field); requests with their own Basic credentials need none, as no browser sends those
 * by itself. Failed logins are throttled per user name ({@link LoginThrottle}). Responses carry a
 * strict content security policy, no framing, no referrer, no caching.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    AdminCredentials adminCredentials(
            ApplianceProperties appliance, ConsoleProperties console, PasswordEncoder encoder) {
        return AdminCredentials.loadOrCreate(
                appliance.stateDirectory(),
                console.adminUser(),
                console.initialPassword(),
                encoder,
                password -> announce(console.adminUser(), password, appliance));
    }

    /** Shown once on the terminal, deliberately not through the logs. */
    private static void announce(String user, String password, ApplianceProperties appliance) {
        String line = "=".repeat(72);
        System.out.println(line + "\nConsole login: user '" + user + "', password " + password
                + "\nShown only this once; only its hash is kept, in "
                + appliance.stateDirectory().resolve(AdminCredentials.FILE_NAME) + "\n" + line);
    }

    @Bean
    LoginThrottle loginThrottle(ConsoleProperties console) {
        return new LoginThrottle(console.login().maxFailures(), console.login().lockout(), Clock.systemUTC());
    }

    @Bean
    SecurityWebFilterChain securityWebFilterChain(
            ServerHttpSecurity http, AdminCredentials users, PasswordEncoder encoder, LoginThrottle throttle) {
        UserDetailsRepositoryReactiveAuthenticationManager checker =
                new UserDetailsRepositoryReactiveAuthenticationManager(users);
        checker.setPasswordEncoder(encoder);
        ReactiveAuthenticationManager manager = new ThrottlingAuthenticationManager(checker, throttle);
        return http.authenticationManager(manager)
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers("/login", "/css/**", "/js/login.js", "/favicon.svg")
                        .permitAll()
                        .pathMatchers("/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .anyExchange()
                        .authenticated())
                .formLogin(form -> form.loginPage("/login").authenticationFailureHandler(failureHandler()))
                .httpBasic(basic -> basic.authenticationEntryPoint(new HttpBasicServerAuthenticationEntryPoint()))
                .exceptionHandling(handling -> handling.authenticationEntryPoint(entryPoint()))
                .csrf(csrf -> csrf.csrfTokenRepository(CookieServerCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new ServerCsrfTokenRequestAttributeHandler())
                        .requireCsrfProtectionMatcher(csrfNeeded()))
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(CSP))
                        .frameOptions(frame -> frame.mode(XFrameOptionsServerHttpHeadersWriter.Mode.DENY))
                        .referrerPolicy(referrer ->
                                referrer.policy(ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.NO_REFERRER)))
                .logout(logout -> logout.logoutUrl("/logout").logoutSuccessHandler(loggedOut()))
                .build();
    }

    /** Makes the CSRF cookie exist on every page, so that the page's script can echo it. */
    @Bean
    WebFilter csrfCookieWebFilter() {
        return (exchange, chain) -> {
            Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
            return (token == null ? Mono.<CsrfToken>empty() : token).then(chain.filter(exchange));
        };
    }

    /** Pages go to the login page; the API and the actuator answer 401. */
    private static DelegatingServerAuthenticationEntryPoint entryPoint() {
        DelegatingServerAuthenticationEntryPoint entryPoint = new DelegatingServerAuthenticationEntryPoint(List.of(
                new DelegatingServerAuthenticationEntryPoint.DelegateEntry(
                        ServerWebExchangeMatchers.pathMatchers("/api/**", "/v3/api-docs/**"),
                        new HttpStatusServerEntryPoint(HttpStatus.UNAUTHORIZED)),
                new DelegatingServerAuthenticationEntryPoint.DelegateEntry(
                        ServerWebExchangeMatchers.pathMatchers("/actuator/**"),
                        new HttpBasicServerAuthenticationEntryPoint())));
        entryPoint.setDefaultEntryPoint(new RedirectServerAuthenticationEntryPoint("/login"));
        return entryPoint;
    }

    /** Unsafe methods need the token, unless the request brings its own Basic credentials. */
    private static ServerWebExchangeMatcher csrfNeeded() {
        return exchange -> {
            HttpMethod method = exchange.getRequest().getMethod();
            boolean safe = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
            String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
            return safe || basic
                    ? ServerWebExchangeMatcher.MatchResult.notMatch()
                    : ServerWebExchangeMatcher.MatchResult.match();
        };
    }

    private static ServerAuthenticationFailureHandler failureHandler() {
        DefaultServerRedirectStrategy redirect = new DefaultServerRedirectStrategy();
        return (exchange, exception) -> redirect.sendRedirect(
                exchange.getExchange(),
                URI.create(exception instanceof LockedException ? "/login?locked" : "/login?error"));
    }

    private static RedirectServerLogoutSuccessHandler loggedOut() {
        RedirectServerLogoutSuccessHandler handler = new RedirectServerLogoutSuccessHandler();
        handler.setLogoutSuccessUrl(URI.create("/login?logout"));
        return handler;
    }
}
