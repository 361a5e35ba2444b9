package net.ipsecgw.esp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Packets per second through one SA, one thread: encapsulation and decapsulation of an inner packet
 * of {@code size} bytes, in place in a pooled buffer of the given {@code layout} (heap arrays keep the
 * JDK's AES-GCM intrinsics on the fast path; direct buffers are what native transports read into).
 *
 * <p>Each operation first restores the packet (a copy of {@code size} or {@code size + 40} bytes, as a
 * receive would deliver it), so the figures include that copy. Decapsulation runs with anti-replay
 * off (window 0), because it decrypts the same packet again and again; the window's own cost is
 * measured by {@link #replayWindow()}.
 *
 * <p>Run: {@code benchmarks/esp-throughput.sh}, or {@code java -cp ... org.openjdk.jmh.Main EspBenchmark
 * -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class EspBenchmark {
    @Param({"AES_128_GCM_16", "AES_256_GCM_16", "CHACHA20_POLY1305"})
    public EspCipherSuite suite;

    @Param({"64", "512", "1400"})
    public int size;

    @Param({"heap", "direct"})
    public String layout;

    @Param({"OPENSSL", "JDK"})
    public AeadCiphers.Implementation implementation;

    private OutboundSa outbound;
    private InboundSa inbound;
    private ByteBuf work;
    private ByteBuf inner;
    private ByteBuf sealed;
    private final ReplayWindow window = new ReplayWindow(ReplayWindow.DEFAULT_SIZE);
    private long nextSeq;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] material = new byte[suite.keyMaterialLength()];
        new Random(1).nextBytes(material);
        SaParameters parameters =
                new SaParameters(0x1000, suite, KeyMaterial.of(material), false, 0, SaLifetime.UNLIMITED);
        outbound = new OutboundSa(
                parameters, AeadCiphers.create(implementation, suite, parameters.keys()), LifetimeListener.NONE, 0);
        inbound = new InboundSa(
                parameters, AeadCiphers.create(implementation, suite, parameters.keys()), LifetimeListener.NONE, 0);
        ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
        int capacity = EspSa.HEADROOM + size + EspSa.TAILROOM;
        work = layout.equals("heap") ? allocator.heapBuffer(capacity) : allocator.directBuffer(capacity);
        byte[] packet = new byte[size];
        new Random(2).nextBytes(packet);
        packet[0] = 0x45;
        packet[2] = (byte) (size >>> 8);
        packet[3] = (byte) size;
        inner = allocator.buffer(size).writeBytes(packet);
        restoreInner();
        if (outbound.encapsulate(work, EspSa.NEXT_HEADER_IPV4) != DropReason.NONE) {
            throw new IllegalStateException("setup failed");
        }
        sealed = allocator.buffer(work.readableBytes()).writeBytes(work, work.readerIndex(), work.readableBytes());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        work.release();
        inner.release();
        sealed.release();
    }

    private void restoreInner() {
        work.setBytes(EspSa.HEADROOM, inner, 0, size);
        work.setIndex(EspSa.HEADROOM, EspSa.HEADROOM + size);
    }

    @Benchmark
    public DropReason encapsulate() {
        restoreInner();
        return outbound.encapsulate(work, EspSa.NEXT_HEADER_IPV4);
    }

    @Benchmark
    public DropReason decapsulate() {
        work.setBytes(0, sealed, 0, sealed.readableBytes());
        work.setIndex(0, sealed.readableBytes());
        return inbound.decapsulate(work);
    }

    /** The packet restore alone, which every encapsulate() includes: the harness's own cost. */
    @Benchmark
    public int restoreOnly() {
        restoreInner();
        return work.writerIndex();
    }

    /** Check and commit of an in-order sequence number in the default 1024-packet window. */
    @Benchmark
    public boolean replayWindow() {
        long seq = ++nextSeq;
        return window.check(seq) && window.commit(seq);
    }
}
