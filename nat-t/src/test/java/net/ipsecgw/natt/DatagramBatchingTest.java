package net.ipsecgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DatagramBatchingTest {
    @Test
    void defaultBatchHoldsThirtyTwoFullSizeDatagrams() {
        assertEquals(65536, DatagramBatching.DEFAULT.batchBufferSize());
        assertEquals(512, DatagramBatching.DEFAULT.maxDatagramsPerWakeup());
        assertEquals(4 << 20, DatagramBatching.DEFAULT.receiveBufferSize());
    }

    @Test
    void rejectsOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> new DatagramBatching(63, 32, 16, 0));
        assertThrows(IllegalArgumentException.class, () -> new DatagramBatching(65536, 32, 16, 0));
        assertThrows(IllegalArgumentException.class, () -> new DatagramBatching(2048, 1, 16, 0));
        assertThrows(IllegalArgumentException.class, () -> new DatagramBatching(2048, 1025, 16, 0));
        assertThrows(IllegalArgumentException.class, () -> new DatagramBatching(2048, 32, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new DatagramBatching(2048, 32, 16, -1));
    }
}
