package net.ipsecgw.esp;

import com.sun.management.ThreadMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

/**
 * Command-line self-test of the ESP engine: for every cipher suite and AEAD implementation, pushes
 * 1400-byte packets through an outbound and an inbound SA for a moment, checks every packet comes out
 * intact, and prints the rate and the bytes allocated per packet. Exits non-zero on any mismatch.
 *
 * <p>Usage: {@code EspSelfTest [seconds measured per case after half as long of warm-up, default 1]}.
 * Single-threaded.
 */
public final class EspSelfTest {
    private static final int SIZE = 1400;

    private EspSelfTest() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        System.out.printf(
                "ESP self-test: %d-byte inner packets, encapsulate + decapsulate, one thread, default AEAD %s%n",
                SIZE, AeadCiphers.defaultImplementation());
        System.out.printf("%-18s %-8s %-7s %14s %10s%n", "suite", "aead", "buffer", "round trips/s", "B/packet");
        boolean ok = true;
        for (AeadCiphers.Implementation implementation : AeadCiphers.Implementation.values()) {
            if (!implementation.isAvailable()) {
                System.out.printf("%s is not available in this process%n", implementation);
                continue;
            }
            for (EspCipherSuite suite : EspCipherSuite.values()) {
                for (boolean direct : new boolean[] {true, false}) {
                    ok &= run(implementation, suite, direct, seconds);
                }
            }
        }
        System.out.println(ok ? "self-test passed" : "SELF-TEST FAILED");
        System.exit(ok ? 0 : 1);
    }

    private static boolean run(
            AeadCiphers.Implementation implementation, EspCipherSuite suite, boolean direct, double seconds) {
        byte[] material = new byte[suite.keyMaterialLength()];
        new Random().nextBytes(material);
        SaParameters parameters = SaParameters.of(0x1000, suite, KeyMaterial.of(material), true);
        OutboundSa out = new OutboundSa(
                parameters, AeadCiphers.create(implementation, suite, parameters.keys()), LifetimeListener.NONE, 0);
        InboundSa in = new InboundSa(
                parameters, AeadCiphers.create(implementation, suite, parameters.keys()), LifetimeListener.NONE, 0);
        byte[] inner = new byte[SIZE];
        new Random(7).nextBytes(inner);
        inner[0] = 0x45;
        inner[2] = (byte) (SIZE >>> 8);
        inner[3] = (byte) SIZE;
        int capacity = EspSa.HEADROOM + SIZE + EspSa.TAILROOM;
        ByteBuf buf = direct
                ? PooledByteBufAllocator.DEFAULT.directBuffer(capacity)
                : PooledByteBufAllocator.DEFAULT.heapBuffer(capacity);
        byte[] check = new byte[SIZE];
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try {
            long packets = 0;
            long start = System.nanoTime();
            long warmUpEnd = start + (long) (seconds * 0.5e9);
            long deadline = warmUpEnd + (long) (seconds * 1e9);
            long allocatedBefore = 0;
            long startPackets = -1;
            for (long now = start; now < deadline; now = System.nanoTime()) {
                if (startPackets < 0 && now >= warmUpEnd) { // measure after warm-up
                    start = now;
                    startPackets = packets;
                    allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                }
                buf.setIndex(EspSa.HEADROOM, EspSa.HEADROOM).writeBytes(inner);
                if (out.encapsulate(buf, EspSa.NEXT_HEADER_IPV4) != DropReason.NONE
                        || in.decapsulate(buf) != DropReason.NONE) {
                    System.out.printf("%s %s: packet %d was dropped%n", suite, implementation, packets);
                    return false;
                }
                buf.getBytes(buf.readerIndex(), check);
                if (!Arrays.equals(inner, check)) {
                    System.out.printf("%s %s: packet %d came out changed%n", suite, implementation, packets);
                    return false;
                }
                packets++;
            }
            long measured = packets - startPackets;
            double elapsed = (System.nanoTime() - start) / 1e9;
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            System.out.printf(
                    "%-18s %-8s %-7s %,14.0f %10.0f%n",
                    suite,
                    implementation,
                    direct ? "direct" : "heap",
                    measured / elapsed,
                    allocated / (double) Math.max(1, measured));
            return true;
        } finally {
            buf.release();
        }
    }
}
