package net.ipsecgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DropCountersTest {
    @Test
    void countsEachReasonSeparately() {
        DropCounters counters = new DropCounters();
        counters.increment(DropReason.EMPTY);
        counters.increment(DropReason.TRUNCATED_IKE);
        counters.increment(DropReason.TRUNCATED_IKE);

        assertEquals(1, counters.get(DropReason.EMPTY));
        assertEquals(2, counters.get(DropReason.TRUNCATED_IKE));
        assertEquals(0, counters.get(DropReason.RESERVED_SPI));
        assertEquals(3, counters.total());
    }

    @Test
    void readerOnAnotherThreadSeesTheLaneCounts() throws Exception {
        DropCounters counters = new DropCounters();
        Thread lane = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100_000; i++) {
                counters.increment(DropReason.BAD_KEEPALIVE);
            }
        });
        lane.join();
        assertEquals(100_000, counters.get(DropReason.BAD_KEEPALIVE));
    }
}
