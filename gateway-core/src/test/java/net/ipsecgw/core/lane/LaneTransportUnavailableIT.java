package net.ipsecgw.core.lane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Starts lanes in a child JVM where Netty's native transports are switched off
 * ({@code -Dio.netty.transport.noNative=true}), the same state as a kernel or libc they cannot load on:
 * the start must fail with a message naming the transport and Netty's reason.
 */
class LaneTransportUnavailableIT {

    @ParameterizedTest
    @EnumSource(LaneTransport.class)
    void startFailsNamingTheTransportAndNettysReason(LaneTransport transport) throws Exception {
        List<String> lines = runProbe(transport, "-Dio.netty.transport.noNative=true");
        assertEquals("available=false", lines.get(0));
        String failure = lines.get(1);
        assertTrue(
                failure.startsWith("failed java.lang.IllegalStateException: the " + transport
                        + " transport is not available on this system: "),
                failure);
        assertTrue(failure.contains("noNative"), "Netty's own reason is quoted: " + failure);
    }

    @ParameterizedTest
    @EnumSource(LaneTransport.class)
    void startSucceedsWhenTheTransportLoads(LaneTransport transport) throws Exception {
        List<String> lines = runProbe(transport, "-Dio.netty.transport.noNative=false");
        assertEquals("available=true", lines.get(0));
        assertTrue(lines.get(1).startsWith("started LaneEventLoops[" + transport + ", CPUs [0]]"), lines.get(1));
    }

    private static List<String> runProbe(LaneTransport transport, String property)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        property,
                        "-cp",
                        System.getProperty("java.class.path"),
                        LaneStartProbe.class.getName(),
                        transport.name())
                .redirectErrorStream(true)
                .start();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe JVM finished");
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), output);
            return output.lines()
                    .filter(l -> l.startsWith("available=") || l.startsWith("started") || l.startsWith("failed"))
                    .toList();
        } finally {
            process.destroyForcibly();
        }
    }
}
