package net.ipsecgw.esp;

import static net.ipsecgw.esp.EspPackets.innerPacket;
import static net.ipsecgw.esp.EspPackets.parameters;
import static net.ipsecgw.esp.EspPackets.withRoom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SaLifetimeTest {
    private final List<String> events = new ArrayList<>();
    private final LifetimeListener recorder = new LifetimeListener() {
        @Override
        public void softExpired(EspSa sa, SaLifetime.Kind kind) {
            events.add("soft " + kind);
        }

        @Override
        public void hardExpired(EspSa sa, SaLifetime.Kind kind) {
            events.add("hard " + kind);
        }
    };

    private OutboundSa outbound(boolean esn, SaLifetime lifetime) {
        SaParameters base = parameters(EspCipherSuite.AES_128_GCM_16, esn);
        SaParameters p = new SaParameters(base.spi(), base.suite(), base.keys(), esn, 1024, lifetime);
        return new OutboundSa(p, recorder, 1_000);
    }

    private static DropReason send(OutboundSa sa) {
        return sa.encapsulate(withRoom(innerPacket(new Random(1), 100, false)), 4);
    }

    @Test
    void packetLimitsReportSoftThenHardOnceEach() {
        OutboundSa sa = outbound(false, new SaLifetime(0, 0, 3, 5, Duration.ZERO, Duration.ZERO));
        for (int i = 0; i < 5; i++) {
            assertEquals(DropReason.NONE, send(sa));
        }
        assertEquals(List.of("soft PACKETS", "hard PACKETS"), events);
        assertEquals(DropReason.HARD_EXPIRED, send(sa));
        assertEquals(List.of("soft PACKETS", "hard PACKETS"), events, "no repeated events");
    }

    @Test
    void byteLimitsCountInnerBytes() {
        OutboundSa sa = outbound(false, new SaLifetime(250, 300, 0, 0, Duration.ZERO, Duration.ZERO));
        send(sa);
        send(sa);
        assertEquals(List.of(), events);
        send(sa);
        assertEquals(List.of("soft BYTES", "hard BYTES"), events, "300 bytes reach both limits at once");
    }

    @Test
    void timeLimitsAreCheckedByTheOwnersClock() {
        OutboundSa sa = outbound(false, SaLifetime.ofTime(Duration.ofSeconds(10), Duration.ofSeconds(20)));
        sa.checkTime(1_000 + Duration.ofSeconds(9).toNanos());
        assertEquals(List.of(), events);
        sa.checkTime(1_000 + Duration.ofSeconds(10).toNanos());
        assertEquals(List.of("soft TIME"), events);
        sa.checkTime(1_000 + Duration.ofSeconds(20).toNanos());
        assertEquals(List.of("soft TIME", "hard TIME"), events);
        assertEquals(DropReason.HARD_EXPIRED, send(sa));
    }

    @Test
    void inboundSaStopsAtItsHardLimit() {
        SaParameters base = parameters(EspCipherSuite.CHACHA20_POLY1305, false);
        SaParameters p = new SaParameters(
                base.spi(),
                base.suite(),
                base.keys(),
                false,
                64,
                new SaLifetime(0, 0, 0, 1, Duration.ZERO, Duration.ZERO));
        OutboundSa out = new OutboundSa(p, LifetimeListener.NONE, 0);
        InboundSa in = new InboundSa(p, recorder, 0);
        var first = withRoom(innerPacket(new Random(1), 100, false));
        var second = withRoom(innerPacket(new Random(2), 100, false));
        out.encapsulate(first, 4);
        assertEquals(DropReason.HARD_EXPIRED, out.encapsulate(second, 4), "the outbound SA is also limited");
        assertEquals(DropReason.NONE, in.decapsulate(first));
        assertEquals(List.of("soft PACKETS", "hard PACKETS"), events);
        assertTrue(in.isHardExpired());
    }

    @Test
    void sequenceNumberNeverWrapsWithoutEsn() {
        OutboundSa sa = outbound(false, SaLifetime.UNLIMITED);
        sa.skipTo(0xFFFF_FFFEL);
        assertEquals(DropReason.NONE, send(sa), "2^32-1 is the last sequence number");
        assertEquals(0xFFFF_FFFFL, sa.sequence());
        assertEquals(DropReason.SEQUENCE_EXHAUSTED, send(sa));
        assertEquals(DropReason.SEQUENCE_EXHAUSTED, send(sa));
        assertEquals(List.of("soft SEQUENCE", "hard SEQUENCE"), events);
        assertEquals(2, sa.drops(DropReason.SEQUENCE_EXHAUSTED));
    }

    @Test
    void sequenceNumberNeverWrapsWithEsn() {
        OutboundSa sa = outbound(true, SaLifetime.UNLIMITED);
        sa.skipTo(0xFFFF_FFFFL);
        assertEquals(DropReason.NONE, send(sa), "ESN continues past 2^32");
        assertEquals(1L << 32, sa.sequence());
        sa.skipTo(-2L);
        assertEquals(DropReason.NONE, send(sa), "2^64-1 is the last sequence number");
        assertEquals(DropReason.SEQUENCE_EXHAUSTED, send(sa));
        assertEquals(List.of("soft SEQUENCE", "hard SEQUENCE"), events);
    }

    @Test
    void sharedCopiesNeverReuseASequenceNumberAcrossThreads() throws Exception {
        SaParameters p = parameters(EspCipherSuite.AES_128_GCM_16, false);
        List<OutboundSa> copies = OutboundSa.sharedCopies(p, 4, recorder, 0);
        InboundSa in = new InboundSa(
                new SaParameters(p.spi(), p.suite(), p.keys(), false, 8192, SaLifetime.UNLIMITED), recorder, 0);
        List<Future<List<byte[]>>> sent = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(4)) {
            for (OutboundSa copy : copies) {
                sent.add(pool.submit(() -> {
                    List<byte[]> packets = new ArrayList<>();
                    for (int i = 0; i < 1000; i++) {
                        var buf = withRoom(innerPacket(new Random(i), 60, false));
                        assertEquals(DropReason.NONE, copy.encapsulate(buf, 4));
                        packets.add(EspPackets.bytes(buf));
                    }
                    return packets;
                }));
            }
        }
        Set<Long> sequences = new HashSet<>();
        for (var future : sent) {
            for (byte[] packet : future.get()) {
                sequences.add(Unpooled.wrappedBuffer(packet).getUnsignedInt(4));
                assertEquals(DropReason.NONE, in.decapsulate(Unpooled.wrappedBuffer(packet)));
            }
        }
        assertEquals(4000, sequences.size(), "every packet has its own sequence number");
        assertEquals(4000, copies.getFirst().sequence());
    }

    @Test
    void sharedCopiesStopTogetherAtTheEndOfTheSequenceSpace() {
        SaParameters p = parameters(EspCipherSuite.AES_128_GCM_16, false);
        List<OutboundSa> copies = OutboundSa.sharedCopies(p, 2, recorder, 0);
        copies.get(0).skipTo(0xFFFF_FFFEL);
        assertEquals(DropReason.NONE, send(copies.get(1)));
        assertEquals(DropReason.SEQUENCE_EXHAUSTED, send(copies.get(0)));
        assertEquals(DropReason.SEQUENCE_EXHAUSTED, send(copies.get(1)));
    }

    @Test
    void sharedCopiesReportTheirSequenceWithEsn() {
        List<OutboundSa> copies =
                OutboundSa.sharedCopies(parameters(EspCipherSuite.AES_128_GCM_16, true), 2, recorder, 0);
        copies.get(0).skipTo(0xFFFF_FFFFL);
        assertEquals(DropReason.NONE, send(copies.get(1)));
        assertEquals(1L << 32, copies.get(0).sequence(), "unsigned, past 2^32");
        copies.get(0).skipTo(-2L);
        assertEquals(DropReason.NONE, send(copies.get(0)));
        assertEquals(-1L, copies.get(1).sequence(), "2^64-1 as an unsigned value");
        assertEquals(DropReason.SEQUENCE_EXHAUSTED, send(copies.get(1)));
        assertEquals(-1L, copies.get(1).sequence(), "stays at the last number sent");
    }

    @Test
    void rejectsSoftLimitAboveHardLimit() {
        assertThrows(IllegalArgumentException.class, () -> new SaLifetime(0, 0, 10, 5, Duration.ZERO, Duration.ZERO));
        assertThrows(
                IllegalArgumentException.class, () -> SaLifetime.ofTime(Duration.ofMinutes(5), Duration.ofMinutes(1)));
    }
}
