package net.ipsecgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class SpiAllocatorTest {
    @Test
    void everySpiBelongsToItsLaneAndIsNeitherZeroNorReserved() {
        for (int lanes : new int[] {1, 2, 3, 7, 64, 1000}) {
            SpiAllocator allocator = new SpiAllocator(lanes, new SplittableRandom(lanes));
            for (int i = 0; i < 5_000; i++) {
                int lane = i % lanes;
                int spi = allocator.allocate(lane);
                assertEquals(lane, Integer.remainderUnsigned(spi, lanes));
                assertEquals(lane, SpiAllocator.laneOf(spi, lanes));
                assertTrue(Integer.compareUnsigned(spi, 255) > 0, "reserved or zero SPI " + spi);
            }
        }
    }

    @Test
    void retriesDrawsThatWouldBeReservedOrOverflow() {
        // Scripted draws: 5 -> 5 (reserved), -1 (0xffffffff) -> 0xffffffff - 0 + 2 overflows for 3 lanes
        // (0xffffffff is a multiple of 3), then 1000 -> 999 + 2 = 1001.
        int[] draws = {5, -1, 1000};
        RandomGenerator scripted = new RandomGenerator() {
            private int next;

            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int nextInt() {
                return draws[next++];
            }
        };
        assertEquals(1001, new SpiAllocator(3, scripted).allocate(2));
    }

    @Test
    void reachesTheTopOfTheSpiSpace() {
        RandomGenerator topDraw = new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int nextInt() {
                return -1;
            }
        };
        assertEquals(0xFFFFFFFF, new SpiAllocator(4, topDraw).allocate(3));
        assertEquals(0xFFFFFFFC, new SpiAllocator(4, topDraw).allocate(0));
    }

    @Test
    void skipsSpisAlreadyInUse() {
        SpiAllocator allocator = new SpiAllocator(4, new SplittableRandom(1));
        Set<Integer> live = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            int spi = allocator.allocate(2, live::contains);
            assertTrue(live.add(spi), "handed out a live SPI");
        }
    }

    @Test
    void spisAreSpreadNotSequential() {
        SpiAllocator allocator = new SpiAllocator(4, new SplittableRandom(7));
        int first = allocator.allocate(1);
        int second = allocator.allocate(1);
        assertNotEquals(first, second);
        assertTrue(Math.abs((long) first - second) > 4, "consecutive SPIs look sequential");
    }

    @Test
    void rejectsLanesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new SpiAllocator(0, new SplittableRandom()));
        SpiAllocator allocator = new SpiAllocator(2, new SplittableRandom());
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(2));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-1));
    }
}
