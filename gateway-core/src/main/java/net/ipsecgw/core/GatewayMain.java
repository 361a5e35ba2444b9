package net.ipsecgw.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.GatewayConfigLoader;
import net.ipsecgw.core.control.IkeService;
import net.ipsecgw.core.control.LoggedIkeEvents;
import net.ipsecgw.core.offload.TunOffloadControl;

/**
 * Runs a gateway from a configuration file until it is told to stop (SIGTERM, SIGINT).
 *
 * <pre>
 *   GatewayMain CONFIG.yml [--status FILE]
 * </pre>
 *
 * With {@code --status}, the counters ({@link GatewayStatus}) are written to FILE every second,
 * atomically (a reader never sees half a file), and once more on exit. Exit status 2 for a bad
 * configuration, 1 for a failed start.
 */
public final class GatewayMain {
    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        DataPathDefaults.apply();
        if (args.length < 1) {
            System.err.println("usage: GatewayMain CONFIG.yml [--status FILE]");
            System.exit(2);
        }
        Path statusFile = statusFile(args);
        GatewayConfig config;
        try {
            config = GatewayConfigLoader.load(Path.of(args[0]));
        } catch (GatewayConfigLoader.ConfigurationException e) {
            System.err.println("configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Gateway gateway;
        IkeService ike = new IkeService(config, new LoggedIkeEvents());
        try {
            gateway = config.connections().isEmpty() ? Gateway.start(config) : Gateway.start(config, ike);
        } catch (RuntimeException e) {
            System.err.println("cannot start the gateway: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.printf(
                "gateway up: %d lanes, %s on %s mtu %d, source ports %s, udp gso %s%s%n",
                gateway.lanes().size(),
                gateway.natTAddress(),
                gateway.tunName() == null ? "traffic generators" : gateway.tunName(),
                gateway.tunMtu(),
                Arrays.toString(gateway.sourcePorts()),
                gateway.gso() ? "on" : "off",
                gateway.tunOffloads() == 0
                        ? ""
                        : ", TUN offloads " + TunOffloadControl.describe(gateway.tunOffloads()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(gateway, ike, statusFile, stopped), "shutdown"));
        while (true) {
            writeStatus(gateway, ike, statusFile);
            Thread.sleep(1000);
            if (stopped.getCount() == 0) {
                return;
            }
        }
    }

    private static void stop(Gateway gateway, IkeService ike, Path statusFile, CountDownLatch stopped) {
        writeStatus(gateway, ike, statusFile);
        System.out.print(GatewayStatus.render(gateway, ike.ikeSas()));
        gateway.close();
        stopped.countDown();
    }

    private static Path statusFile(String[] args) {
        for (int i = 1; i < args.length - 1; i++) {
            if (args[i].equals("--status")) {
                return Path.of(args[i + 1]);
            }
        }
        return null;
    }

    private static void writeStatus(Gateway gateway, IkeService ike, Path file) {
        if (file == null) {
            return;
        }
        try {
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, GatewayStatus.render(gateway, ike.ikeSas()));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("cannot write status to " + file + ": " + e.getMessage());
        }
    }
}
