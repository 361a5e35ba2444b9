package net.ipsecgw.core.tun;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A pooled allocator that remembers every buffer it handed out, so a test can prove that each one
 * was released (reads in flight at close included). Thread-safe.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final PooledByteBufAllocator pool = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> allocated = new CopyOnWriteArrayList<>();

    TrackingAllocator() {
        super(true);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(pool.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(pool.directBuffer(initialCapacity, maxCapacity));
    }

    private ByteBuf track(ByteBuf buf) {
        allocated.add(buf);
        return buf;
    }

    @Override
    public boolean isDirectBufferPooled() {
        return true;
    }

    /** Buffers handed out so far. */
    int allocatedCount() {
        return allocated.size();
    }

    /** Buffers still referenced. */
    long unreleased() {
        return allocated.stream().filter(b -> b.refCnt() > 0).count();
    }
}
