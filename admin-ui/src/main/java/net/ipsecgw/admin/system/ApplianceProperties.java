package net.ipsecgw.admin.system;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where the appliance keeps its files and which data path it runs (prefix {@code appliance}).
 *
 * @param stateDirectory console credentials, generated certificates and other state (created if missing)
 * @param connectionsFile the IKE connections, as the console saves them ({@code gateway.connections} in
 *     YAML); read at start-up over the profile's own connections, written atomically on every change
 * @param dataPath what carries the traffic: {@link DataPath#TUN} needs root, {@link DataPath#DEMO} does not
 * @param shutdownTimeout how long stopping the gateway may take (deleting IKE SAs, closing lanes)
 */
@ConfigurationProperties("appliance")
@Validated
public record ApplianceProperties(
        @NotNull Path stateDirectory,
        @NotNull Path connectionsFile,
        @NotNull DataPath dataPath,

        @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 10)
        Duration shutdownTimeout) {

    /** What carries the gateway's traffic. */
    public enum DataPath {
        /** No data path: the console only (configuration work, tests). */
        NONE,
        /** Two gateways in this JVM over loopback UDP, with a traffic generator in place of TUN. */
        DEMO,
        /** One gateway on a multi-queue TUN device (root, CAP_NET_ADMIN). */
        TUN,
        /**
         * The lab (root): this gateway on TUN inside the lab's namespace lab-ga, and the lab's gateway b
         * as a child process in lab-gb ({@code scripts/lab.sh console}).
         */
        LAB
    }
}
