package net.ipsecgw.core.tun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A packet handler for tests: copies each packet with the queue index, the thread it arrived on and
 * the buffer's headroom/tailroom, then releases the buffer. Thread-safe (the queue is concurrent).
 */
final class RecordingHandler implements TunPacketHandler {
    /** One packet as the handler saw it. */
    record Received(int queue, String thread, byte[] packet, int headroom, int tailroom) {}

    private final int queue;
    private final BlockingQueue<Received> sink;
    final CompletableFuture<Throwable> readFailure = new CompletableFuture<>();

    RecordingHandler(int queue, BlockingQueue<Received> sink) {
        this.queue = queue;
        this.sink = sink;
    }

    RecordingHandler(int queue) {
        this(queue, new LinkedBlockingQueue<>());
    }

    @Override
    public void packetReceived(ByteBuf packet) {
        try {
            sink.add(new Received(
                    queue,
                    Thread.currentThread().getName(),
                    ByteBufUtil.getBytes(packet),
                    packet.readerIndex(),
                    packet.capacity() - packet.writerIndex()));
        } finally {
            packet.release();
        }
    }

    @Override
    public void readFailed(Throwable cause) {
        readFailure.complete(cause);
    }
}
