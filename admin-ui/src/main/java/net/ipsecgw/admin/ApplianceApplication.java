package net.ipsecgw.admin;

import net.ipsecgw.core.DataPathDefaults;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The IPsec gateway appliance: starts the gateway (lanes, control loop, IKE) as the active profile
 * describes ({@code demo}, {@code lab} or {@code appliance}), serves the web console, the REST API and
 * the metrics, and stops the gateway cleanly on shutdown.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ApplianceApplication {
    /** Runs the appliance; without an active profile, the {@code demo} profile. */
    public static void main(String[] args) {
        DataPathDefaults.apply();
        SpringApplication.run(ApplianceApplication.class, args);
    }
}
