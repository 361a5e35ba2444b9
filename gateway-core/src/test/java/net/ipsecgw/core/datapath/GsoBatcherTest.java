package net.ipsecgw.core.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GsoBatcher} on its own, writing to an embedded channel: which datagrams make a run, that a run
 * carries their bytes in order and releases them, that a run of one goes out as the very buffer it was
 * given, and that appending a datagram to a run allocates nothing per datagram.
 */
class GsoBatcherTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.2", 4500);
    private static final InetSocketAddress OTHER_PEER = new InetSocketAddress("192.0.2.3", 4500);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final LaneCounters counters = new LaneCounters();
    private final GsoBatcher batcher = new GsoBatcher(PooledByteBufAllocator.DEFAULT, counters);

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
    }

    @Test
    void equalSizedDatagramsBecomeOneSegmentedSendWithTheirBytesInOrder() {
        List<ByteBuf> datagrams = new ArrayList<>();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 5; i++) {
            ByteBuf datagram = datagram(100, i);
            expected.writeBytes(ByteBufUtil.getBytes(datagram));
            datagrams.add(datagram);
            batcher.add(channel, PEER, datagram);
        }
        assertNull(sent(channel), "the run stays open until something ends it");

        batcher.writeRun();

        SegmentedDatagramPacket sent = assertInstanceOf(SegmentedDatagramPacket.class, sent(channel));
        try {
            assertEquals(100, sent.segmentSize());
            assertEquals(PEER, sent.recipient());
            assertArrayEquals(expected.toByteArray(), ByteBufUtil.getBytes(sent.content()));
            assertTrue(sent.content().isDirect());
        } finally {
            sent.release();
        }
        assertTrue(datagrams.stream().allMatch(d -> d.refCnt() == 0), "each datagram released once copied");
        assertEquals(1, counters.gsoSends());
        assertEquals(5, counters.gsoSegments());
        assertNull(sent(channel));
    }

    @Test
    void aRunOfOneGoesOutAsTheBufferItWasGiven() {
        ByteBuf datagram = datagram(100, 0);
        batcher.add(channel, PEER, datagram);
        batcher.writeRun();

        DatagramPacket sent = sent(channel);
        assertFalse(sent instanceof SegmentedDatagramPacket);
        assertSame(datagram, sent.content(), "not copied");
        assertEquals(PEER, sent.recipient());
        sent.release();
        assertEquals(0, counters.gsoSends());
    }

    @Test
    void aShorterDatagramEndsTheRunAsItsLastSegmentAndALongerOneStartsANewRun() {
        batcher.add(channel, PEER, datagram(100, 0));
        batcher.add(channel, PEER, datagram(100, 1));
        batcher.add(channel, PEER, datagram(60, 2));
        assertEquals("100 x 2 + 60", describe(sent(channel)), "written as soon as the shorter one came");

        batcher.add(channel, PEER, datagram(100, 3));
        batcher.add(channel, PEER, datagram(120, 4));
        assertEquals("100", describe(sent(channel)));
        batcher.add(channel, OTHER_PEER, datagram(120, 5));
        assertEquals("120", describe(sent(channel)), "another peer ends the run");
        EmbeddedChannel otherChannel = new EmbeddedChannel();
        batcher.add(otherChannel, OTHER_PEER, datagram(120, 6));
        assertEquals("120", describe(sent(channel)), "another channel ends the run");
        batcher.writeRun();
        assertEquals("120", describe(sent(otherChannel)));
        otherChannel.finishAndReleaseAll();
    }

    @Test
    void aRunEndsAtSixtyFourSegmentsAndBefore65508Octets() {
        for (int i = 0; i < 65; i++) {
            batcher.add(channel, PEER, datagram(100, i));
        }
        assertEquals("100 x 64", describe(sent(channel)));
        batcher.writeRun();
        assertEquals("100", describe(sent(channel)));

        for (int i = 0; i < 46; i++) {
            batcher.add(channel, PEER, datagram(1436, i));
        }
        assertEquals("1436 x 45", describe(sent(channel)), "46 x 1436 = 66,056 > 65,507");
        batcher.writeRun();
        assertEquals("1436", describe(sent(channel)));

        batcher.add(channel, PEER, datagram(40_000, 0));
        assertEquals("40000", describe(sent(channel)), "no room for a second: written at once");
    }

    @Test
    void appendingToARunAllocatesNothingPerDatagram() throws Exception {
        // On a thread like a lane's, so that the pool's thread cache is in play as it is there.
        AtomicReference<long[]> result = new AtomicReference<>();
        Thread lane = new FastThreadLocalThread(() -> result.set(measureAppends()));
        lane.start();
        lane.join();
        long allocated = result.get()[0];
        long appended = result.get()[1];
        // Nothing per datagram; the pool's bookkeeping allocates now and then (a few hundred bytes in
        // thousands of appends), so the bound is one byte per datagram, far below any object.
        assertTrue(
                allocated < appended,
                allocated + " bytes allocated while appending " + appended + " datagrams to runs");
    }

    private long[] measureAppends() {
        // The test JVM tracks leaks in paranoid mode, which records a stack trace at every access to a
        // buffer: that would be all this measures. Buffers allocated meanwhile are not tracked.
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            return measureUntrackedAppends();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private long[] measureUntrackedAppends() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = 0;
        long appended = 0;
        ByteBuf[] datagrams = new ByteBuf[63];
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < datagrams.length; i++) {
                datagrams[i] = datagram(100, i);
            }
            batcher.add(channel, PEER, datagram(100, 0)); // starts the run
            batcher.add(channel, PEER, datagrams[0]); // allocates the run's buffer
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 1; i < datagrams.length - 1; i++) {
                batcher.add(channel, PEER, datagrams[i]);
            }
            long after = threads.getCurrentThreadAllocatedBytes();
            batcher.add(channel, PEER, datagrams[datagrams.length - 1]); // the 64th: writes the run
            sent(channel).release();
            if (round >= 100) { // the first rounds warm up the pool's caches and the compiler
                allocated += after - before;
                appended += datagrams.length - 2;
            }
        }
        return new long[] {allocated, appended};
    }

    /** What the batcher wrote to {@code channel} next (it writes; the lane flushes), or null. */
    private static DatagramPacket sent(EmbeddedChannel channel) {
        channel.flush();
        return channel.readOutbound();
    }

    /** "SIZE x COUNT [+ LAST]" for a segmented send, "LENGTH" for a plain datagram; releases it. */
    private static String describe(DatagramPacket sent) {
        try {
            int length = sent.content().readableBytes();
            if (!(sent instanceof SegmentedDatagramPacket segmented)) {
                return String.valueOf(length);
            }
            int size = segmented.segmentSize();
            int last = length % size;
            return size + " x " + length / size + (last == 0 ? "" : " + " + last);
        } finally {
            sent.release();
        }
    }

    /** A pooled direct buffer of {@code length} readable bytes that start with {@code number}. */
    private static ByteBuf datagram(int length, int number) {
        ByteBuf datagram = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        datagram.writeInt(number);
        while (datagram.readableBytes() < length) {
            datagram.writeByte(datagram.readableBytes() ^ number);
        }
        return datagram;
    }
}
