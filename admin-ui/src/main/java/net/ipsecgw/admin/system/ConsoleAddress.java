package net.ipsecgw.admin.system;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Prints where the console answers once the application is ready (the data path is up by then), on
 * the terminal like the first start's generated password, so that {@code ./gw run} ends with both.
 */
@Component
class ConsoleAddress {
    private final Environment environment;
    private final ConsoleProperties console;

    ConsoleAddress(Environment environment, ConsoleProperties console) {
        this.environment = environment;
        this.console = console;
    }

    @EventListener(ApplicationReadyEvent.class)
    void announce() {
        System.out.println("Console: " + url() + " (user '" + console.adminUser() + "')");
    }

    /** The console's URL, e.g. {@code http://127.0.0.1:8080/}. */
    String url() {
        String scheme = console.tls().enabled() ? "https" : "http";
        String host = environment.getProperty("server.address", "127.0.0.1");
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "<this host>";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return scheme + "://" + host + ":" + environment.getProperty("local.server.port", "?") + "/";
    }
}
