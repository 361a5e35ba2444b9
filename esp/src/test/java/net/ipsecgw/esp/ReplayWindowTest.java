package net.ipsecgw.esp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplayWindowTest {

    /** Check, then commit on success, as the inbound path does. */
    private static boolean receive(ReplayWindow window, long seq) {
        return window.check(seq) && window.commit(seq);
    }

    @Test
    void rejectsSequenceNumberZero() {
        ReplayWindow window = new ReplayWindow(64);
        assertFalse(window.check(0));
        assertFalse(window.commit(0));
    }

    @Test
    void rejectsDuplicates() {
        ReplayWindow window = new ReplayWindow(64);
        assertTrue(receive(window, 1));
        assertTrue(receive(window, 2));
        assertFalse(receive(window, 2));
        assertFalse(receive(window, 1));
    }

    @Test
    void checkDoesNotMoveTheWindow() {
        ReplayWindow window = new ReplayWindow(64);
        assertTrue(window.check(1000));
        assertEquals(0, window.top());
        assertTrue(receive(window, 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 32, 64, 100, 1024, 4096, 8192})
    void acceptsExactlyTheLeftEdgeOfTheWindow(int size) {
        ReplayWindow window = new ReplayWindow(size);
        long top = 100_000;
        assertTrue(receive(window, top));
        long leftEdge = top - size + 1;
        assertFalse(window.check(leftEdge - 1), "one left of the window");
        if (size > 1) {
            assertTrue(receive(window, leftEdge), "left edge");
        }
        assertFalse(receive(window, leftEdge), "left edge twice");
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 1024, 8192})
    void farJumpAheadForgetsEverythingBehindTheNewWindow(int size) {
        ReplayWindow window = new ReplayWindow(size);
        for (long seq = 1; seq <= size; seq++) {
            assertTrue(receive(window, seq));
        }
        long jump = 10L * size + 7;
        assertTrue(receive(window, jump));
        assertFalse(window.check(size), "now far left of the window");
        // Everything inside the new window except the top is fresh, although old bits lived in the ring.
        for (long seq = jump - size + 1; seq < jump; seq++) {
            assertTrue(window.check(seq), "fresh " + seq);
        }
    }

    @Test
    void jumpOfLessThanOneBlockKeepsEarlierBits() {
        ReplayWindow window = new ReplayWindow(128);
        assertTrue(receive(window, 60));
        assertTrue(receive(window, 70));
        assertFalse(window.check(60));
        assertTrue(window.check(61));
    }

    @Test
    void rejectsOutOfRangeSizes() {
        assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(-1));
        assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(ReplayWindow.MAX_SIZE + 1));
    }

    @Test
    void sizeZeroDisablesAntiReplayButTracksTheTop() {
        ReplayWindow window = new ReplayWindow(0);
        assertTrue(receive(window, 5));
        assertTrue(receive(window, 5), "duplicates pass");
        assertTrue(receive(window, 1), "old packets pass");
        assertFalse(window.check(0), "zero never passes");
        assertEquals(5, window.top());
    }

    /** Compares with a straightforward model: a set of every sequence number seen and the highest one. */
    @ParameterizedTest
    @ValueSource(ints = {64, 100, 1024, 8192})
    void agreesWithAModelOnRandomTraffic(int size) {
        Random random = new Random(size);
        ReplayWindow window = new ReplayWindow(size);
        BitSet seen = new BitSet();
        long top = 0;
        for (int i = 0; i < 200_000; i++) {
            long seq = Math.max(1, top + random.nextInt(3 * size) - 2L * size);
            if (random.nextInt(100) == 0) {
                seq = top + random.nextInt(20 * size); // occasional far jump
            }
            boolean expected = seq != 0 && (seq > top || (top - seq < size && !seen.get((int) seq)));
            assertEquals(expected, receive(window, seq), "seq " + seq + " with top " + top);
            if (expected) {
                seen.set((int) seq);
                top = Math.max(top, seq);
            }
        }
    }

    // RFC 4303 Appendix A2.2: Th/Tl is the top of the window, W its size, Seql the received low half.

    @Test
    void esnCaseAWindowInOneSubspaceSameHigh() {
        ReplayWindow window = windowWithTop((5L << 32) | 10_000, 1024);
        assertEquals((5L << 32) | 9_000, window.inferEsn(9_000), "Seql >= Tl - W + 1: Seqh = Th");
        assertEquals((5L << 32) | 20_000, window.inferEsn(20_000), "ahead in the same subspace");
    }

    @Test
    void esnCaseAWrapsToNextSubspace() {
        ReplayWindow window = windowWithTop((5L << 32) | 0xFFFF_FF00L, 1024);
        assertEquals((6L << 32) | 3, window.inferEsn(3), "Seql < Tl - W + 1: Seqh = Th + 1");
    }

    @Test
    void esnCaseBWindowSpansTwoSubspaces() {
        ReplayWindow window = windowWithTop((5L << 32) | 100, 1024);
        assertEquals((4L << 32) | 0xFFFF_FFF0L, window.inferEsn(0xFFFF_FFF0), "Seql >= Tl - W + 1: Seqh = Th - 1");
        assertEquals((5L << 32) | 50, window.inferEsn(50), "Seql < Tl - W + 1: Seqh = Th");
        assertEquals((5L << 32) | 5000, window.inferEsn(5000), "ahead in the same subspace");
    }

    @Test
    void esnBeforeTheFirstSubspaceIsInvalid() {
        ReplayWindow window = new ReplayWindow(1024);
        assertEquals(0, window.inferEsn(0xFFFF_FFFF), "would be in subspace -1");
        assertEquals(1, window.inferEsn(1));
    }

    @Test
    void esnAcrossAWrapIsAcceptedThenReplayRejected() {
        ReplayWindow window = windowWithTop(0xFFFF_FFFEL, 64);
        long next = window.inferEsn(1);
        assertEquals(1L << 32 | 1, next);
        assertTrue(receive(window, next));
        long late = window.inferEsn(0xFFFF_FFFD);
        assertEquals(0xFFFF_FFFDL, late, "a late packet from before the wrap keeps its old high half");
        assertTrue(receive(window, late));
        assertFalse(receive(window, window.inferEsn(0xFFFF_FFFD)));
    }

    private static ReplayWindow windowWithTop(long top, int size) {
        ReplayWindow window = new ReplayWindow(size);
        assertTrue(window.commit(top));
        return window;
    }
}
