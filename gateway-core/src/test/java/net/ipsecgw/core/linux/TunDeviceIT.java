package net.ipsecgw.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import net.ipsecgw.testing.CommandResult;
import net.ipsecgw.testing.NetworkNamespace;
import net.ipsecgw.testing.Privileges;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The multi-queue TUN device, created inside a test namespace. */
class TunDeviceIT {
    private static final String NAME = "gwtun0";
    private static final int O_NONBLOCK = 04000;

    private NetworkNamespace ns;

    @BeforeEach
    void createNamespace() {
        Privileges.requireRoot("TUN devices");
        Privileges.requireProgram("ip", "iproute2");
        ns = NetworkNamespace.create();
    }

    @AfterEach
    void deleteNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void createsAMultiQueueDeviceInsideTheNamespaceWithItsMtuAndUp() throws Exception {
        try (TunDevice device = ns.call(() -> TunDevice.open(NAME, 2, 1400, TunFdMode.NON_BLOCKING))) {
            assertEquals(NAME, device.name());
            assertEquals(2, device.queues().size());
            String details = ns.ip("-d", "link", "show", NAME);
            assertTrue(details.contains("mtu 1400"), details);
            assertTrue(details.contains("<POINTOPOINT,MULTICAST,NOARP,UP"), details);
            assertTrue(details.contains("tun type tun pi off vnet_hdr off multi_queue numqueues 2"), details);
            assertEquals(1400, (int) ns.call(() -> InterfaceControl.mtu(NAME)));
            assertTrue(ns.call(() -> InterfaceControl.isUp(NAME)));
            assertFalse(hostHas(NAME), "the device lives in the test namespace only");
        }
        assertFalse(ns.exec("ip", "link", "show", NAME).succeeded(), "closing every queue removes the device");
    }

    @Test
    void closingOneQueueDetachesItAndTheOthersKeepTheDevice() throws Exception {
        try (TunDevice device = ns.call(() -> TunDevice.open(NAME, 3, 1400, TunFdMode.NON_BLOCKING))) {
            device.queue(1).close();
            assertFalse(device.queue(1).isOpen());
            assertTrue(ns.ip("-d", "link", "show", NAME).contains("numqueues 2"));
            device.queue(1).close(); // idempotent
        }
    }

    @Test
    void opensNonBlockingForEpollAndBlockingForIoUring() throws Exception {
        try (TunDevice epoll = ns.call(() -> TunDevice.open("gwtun-e", 1, 1400, TunFdMode.NON_BLOCKING));
                TunDevice uring = ns.call(() -> TunDevice.open("gwtun-u", 1, 1400, TunFdMode.BLOCKING))) {
            assertTrue((fdFlags(epoll.queue(0).fd()) & O_NONBLOCK) != 0);
            assertEquals(0, fdFlags(uring.queue(0).fd()) & O_NONBLOCK);
        }
    }

    @Test
    void aTakenNameFailsAsBusyNamingTheDevice() throws Exception {
        ns.ip("link", "add", "gwtaken", "type", "veth", "peer", "name", "gwtaken-peer");
        TunDeviceException veth = assertThrows(
                TunDeviceException.class,
                () -> ns.call(() -> TunDevice.open("gwtaken", 2, 1400, TunFdMode.NON_BLOCKING)));
        assertEquals(TunDeviceException.Reason.BUSY, veth.reason());
        assertEquals(16, veth.errno());
        assertTrue(veth.getMessage().contains("'gwtaken'") && veth.getMessage().contains("already exists"));

        ns.ip("tuntap", "add", "mode", "tun", "name", "gwsingle"); // a persistent single-queue TUN device
        TunDeviceException single = assertThrows(
                TunDeviceException.class,
                () -> ns.call(() -> TunDevice.open("gwsingle", 2, 1400, TunFdMode.NON_BLOCKING)));
        assertEquals(TunDeviceException.Reason.BUSY, single.reason());

        try (TunDevice first = ns.call(() -> TunDevice.open(NAME, 1, 1400, TunFdMode.NON_BLOCKING))) {
            TunDeviceException tun = assertThrows(
                    TunDeviceException.class,
                    () -> ns.call(() -> TunDevice.open(NAME, 1, 1400, TunFdMode.NON_BLOCKING)));
            assertEquals(TunDeviceException.Reason.BUSY, tun.reason());
            assertTrue(first.queue(0).isOpen(), "the failed attempt leaves the existing device alone");
        }
    }

    @Test
    void withoutCapNetAdminTheErrorSaysCapNetAdminIsNeeded() throws Exception {
        Privileges.requireProgram("setpriv", "util-linux");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        CommandResult result = ns.exec(
                "setpriv",
                "--bounding-set=-net_admin",
                "--inh-caps=-net_admin",
                "--",
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                TunOpenProbe.class.getName(),
                NAME);
        String line = result.stdout()
                .lines()
                .filter(l -> l.startsWith("opened") || l.startsWith("failed"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(result.toString()));
        assertTrue(line.startsWith("failed NO_PERMISSION errno 1: "), line);
        assertTrue(line.contains("needs CAP_NET_ADMIN"), line);
        assertFalse(ns.exec("ip", "link", "show", NAME).succeeded());
    }

    @Test
    void rejectsBadArgumentsBeforeTouchingTheKernel() {
        assertThrows(IllegalArgumentException.class, () -> TunDevice.open(NAME, 0, 1400, TunFdMode.BLOCKING));
        assertThrows(IllegalArgumentException.class, () -> TunDevice.open(NAME, 257, 1400, TunFdMode.BLOCKING));
        IllegalArgumentException tooLong = assertThrows(
                IllegalArgumentException.class,
                () -> TunDevice.open("a-name-that-is-too-long", 1, 1400, TunFdMode.BLOCKING));
        assertTrue(tooLong.getMessage().contains("too long"));
    }

    @Test
    void aBadMtuFailsTheOpenAndRemovesTheHalfMadeDevice() throws Exception {
        assertThrows(
                IllegalArgumentException.class,
                () -> ns.call(() -> TunDevice.open(NAME, 2, 40, TunFdMode.NON_BLOCKING)));
        assertFalse(ns.exec("ip", "link", "show", NAME).succeeded());
    }

    private static int fdFlags(int fd) throws Exception {
        String info = Files.readString(Path.of("/proc/self/fdinfo", Integer.toString(fd)));
        String flags = info.lines()
                .filter(l -> l.startsWith("flags:"))
                .findFirst()
                .orElseThrow()
                .substring("flags:".length())
                .strip();
        return Integer.parseInt(flags, 8);
    }

    private static boolean hostHas(String name) throws Exception {
        Process p = new ProcessBuilder("ip", "link", "show", name).start();
        p.getInputStream().readAllBytes();
        p.getErrorStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
