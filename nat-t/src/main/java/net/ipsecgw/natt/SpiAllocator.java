package net.ipsecgw.natt;

import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;

/**
 * Chooses inbound SPIs that the reuseport BPF program ({@link ReuseportSpiSteering}) steers to a given
 * lane: {@code SPI mod N == lane}, with the SPI read as an unsigned 32-bit number as the kernel does.
 *
 * <p>SPIs are random (an attacker should not guess the next one), never 0 (the non-ESP marker, RFC 3948
 * §2.2) and never 1-255 (reserved, RFC 4303 §2.1). Uniqueness among live SAs is the caller's SAD: pass
 * its membership test.
 *
 * <p>Owned by the control loop that creates Child SAs; stateless apart from the random source.
 */
public final class SpiAllocator {
    private static final long SPI_SPACE = 1L << 32;

    private final int lanes;
    private final RandomGenerator random;

    /** An allocator for {@code lanes} lanes drawing from {@code random} (a SecureRandom in production). */
    public SpiAllocator(int lanes, RandomGenerator random) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1, got " + lanes);
        }
        this.lanes = lanes;
        this.random = random;
    }

    /** The lane that the steering program sends {@code spi} to among {@code lanes} sockets. */
    public static int laneOf(int spi, int lanes) {
        return Integer.remainderUnsigned(spi, lanes);
    }

    /** A fresh SPI for {@code lane}, unchecked against live SAs. */
    public int allocate(int lane) {
        return allocate(lane, spi -> false);
    }

    /** A fresh SPI for {@code lane} that {@code inUse} does not claim. */
    public int allocate(int lane, IntPredicate inUse) {
        if (lane < 0 || lane >= lanes) {
            throw new IllegalArgumentException("lane " + lane + " outside 0.." + (lanes - 1));
        }
        while (true) {
            long drawn = Integer.toUnsignedLong(random.nextInt());
            // Move down to the nearest value that is == lane (mod lanes); retry the rare draws whose
            // block runs past 2^32 or that land among the reserved SPIs.
            long spi = drawn - drawn % lanes + lane;
            if (spi < SPI_SPACE && spi > UdpEncapsulation.MAX_RESERVED_SPI && !inUse.test((int) spi)) {
                return (int) spi;
            }
        }
    }
}
