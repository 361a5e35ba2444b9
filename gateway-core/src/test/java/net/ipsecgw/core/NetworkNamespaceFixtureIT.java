package net.ipsecgw.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.ipsecgw.testing.CommandResult;
import net.ipsecgw.testing.NetworkNamespace;
import net.ipsecgw.testing.Privileges;
import net.ipsecgw.testing.VethLink;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The namespace fixture of test-support, checked against the real kernel. */
class NetworkNamespaceFixtureIT {

    @BeforeEach
    void needsRootAndIp() {
        Privileges.requireRoot("network namespace fixture");
        Privileges.requireProgram("ip", "iproute2");
    }

    @Test
    void createsUniquelyNamedNamespacesAndDeletesThemOnClose() throws Exception {
        NetworkNamespace a = NetworkNamespace.create();
        NetworkNamespace b = NetworkNamespace.create();
        try (a;
                b) {
            assertNotEquals(a.name(), b.name());
            assertTrue(a.isOpen() && b.isOpen());
            assertTrue(Files.exists(a.path()));
        }
        assertFalse(a.isOpen());
        assertFalse(netnsList().contains(a.name()));
        assertFalse(netnsList().contains(b.name()));
        assertThrows(IllegalStateException.class, () -> a.run("true"));
        a.close(); // idempotent
    }

    @Test
    void aNewNamespaceHasOnlyLoopbackUpAndNoRoutes() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            String links = ns.run("ip", "-o", "link", "show");
            assertEquals(1, links.lines().count(), links);
            assertTrue(links.contains("lo:") && links.contains("UP"), links);
            assertEquals("", ns.ip("-4", "route", "show").strip());
        }
    }

    @Test
    void execReportsFailuresAndRunThrowsThem() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            CommandResult result = ns.exec("ip", "link", "show", "no-such-device");
            assertFalse(result.succeeded());
            assertTrue(result.stderr().contains("no-such-device"), result.stderr());
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> ns.run("ip", "link", "show", "no-such-device"));
            assertTrue(e.getMessage().contains("exited with"), e.getMessage());
        }
    }

    @Test
    void javaCodeOnTheNamespaceThreadRunsInsideTheNamespace() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            Path netns = Path.of("/proc/thread-self/ns/net");
            String inside = ns.call(() -> Files.readSymbolicLink(netns).toString());
            String insideAgain = ns.call(() -> Files.readSymbolicLink(netns).toString());
            String host = Files.readSymbolicLink(netns).toString();
            assertNotEquals(host, inside);
            assertEquals(inside, insideAgain, "every task runs on the same entered thread");
            // A port taken on the host's loopback is free on the namespace's own loopback.
            try (DatagramSocket onHost = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                int port = onHost.getLocalPort();
                assertThrows(java.net.BindException.class, () -> new DatagramSocket(onHost.getLocalSocketAddress()));
                int boundInside = ns.call(() -> {
                    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                        return s.getLocalPort();
                    }
                });
                assertEquals(port, boundInside);
            }
        }
    }

    @Test
    void aTasksExceptionReachesTheCaller() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> ns.call(() -> {
                        throw new IllegalArgumentException("from inside");
                    }));
            assertEquals("from inside", e.getMessage());
        }
    }

    @Test
    void aVethLinkCarriesDatagramsBetweenTwoNamespacesAndNothingElse() throws Exception {
        try (NetworkNamespace left = NetworkNamespace.create();
                NetworkNamespace right = NetworkNamespace.create()) {
            VethLink link = left.connect(right);
            assertTrue(link.subnet().first().getHostAddress().startsWith("10.211."));
            assertTrue(left.ip("-4", "addr", "show", "dev", link.leftName())
                    .contains(link.subnet().firstWithPrefix()));
            assertFalse(left.ip("route", "show").contains("default"), "no default route");
            assertFalse(right.ip("route", "show").contains("default"), "no default route");
            assertFalse(hostHasInterface(link.leftName()) || hostHasInterface(link.rightName()));

            try (DatagramSocket receiver = left.call(() -> new DatagramSocket(
                            new InetSocketAddress(link.subnet().first(), 0)));
                    DatagramSocket sender = right.call(() -> new DatagramSocket(0))) {
                receiver.setSoTimeout(5000);
                byte[] payload = "across the veth".getBytes(StandardCharsets.US_ASCII);
                sender.send(new DatagramPacket(payload, payload.length, receiver.getLocalSocketAddress()));
                DatagramPacket received = new DatagramPacket(new byte[100], 100);
                receiver.receive(received);
                assertArrayEquals(payload, java.util.Arrays.copyOf(received.getData(), received.getLength()));
                assertEquals(link.subnet().second(), received.getAddress());
            }
        }
    }

    @Test
    void startedProcessesAreKilledByPidOnRequestAndOnClose() throws Exception {
        Process killedOnClose;
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            Process killedOnRequest = ns.start("sleep", "600");
            killedOnClose = ns.start("sleep", "600");
            assertTrue(killedOnRequest.isAlive() && killedOnClose.isAlive());
            awaitExec(killedOnClose, "sleep");
            assertEquals(
                    Files.readSymbolicLink(Path.of("/proc", Long.toString(killedOnClose.pid()), "ns", "net")),
                    ns.call(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"))),
                    "the process runs in the namespace");
            ns.kill(killedOnRequest);
            assertFalse(killedOnRequest.isAlive());
            assertTrue(killedOnClose.isAlive());
        }
        assertFalse(killedOnClose.isAlive());
    }

    @Test
    void theShutdownHookDeletesANamespaceTheTestForgotToClose() throws Exception {
        Process probe = probe("leave");
        String name = firstLine(probe).substring("created ".length());
        assertTrue(probe.waitFor(30, TimeUnit.SECONDS));
        assertFalse(netnsList().contains(name), name + " was deleted at JVM exit");
    }

    @Test
    void aNamespaceLeftByAKilledJvmIsDeletedByTheNextJvm() throws Exception {
        Process hung = probe("hang");
        String stale = firstLine(hung).substring("created ".length());
        hung.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
        assertTrue(netnsList().contains(stale));
        Process next = probe("leave");
        firstLine(next);
        assertTrue(next.waitFor(30, TimeUnit.SECONDS));
        assertFalse(netnsList().contains(stale), stale + " was removed as stale");
    }

    /** Waits until {@code ip netns exec} has entered the namespace and exec'd {@code command}. */
    private static void awaitExec(Process process, String command) throws Exception {
        Path comm = Path.of("/proc", Long.toString(process.pid()), "comm");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Files.readString(comm).strip().equals(command)) {
            assertTrue(System.nanoTime() < deadline, "process " + process.pid() + " never became " + command);
            Thread.sleep(5);
        }
    }

    private static Process probe(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        NamespaceProbe.class.getName(),
                        mode)
                .redirectErrorStream(true)
                .start();
    }

    private static String firstLine(Process process) throws Exception {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = reader.readLine();
        assertTrue(line != null && line.startsWith("created gwt-"), String.valueOf(line));
        return line;
    }

    private static String netnsList() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "list").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static boolean hostHasInterface(String name) throws Exception {
        return NetworkInterface.getByName(name) != null;
    }
}
