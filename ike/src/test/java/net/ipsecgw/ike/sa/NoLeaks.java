package net.ipsecgw.ike.sa;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaked a buffer: after each test (whose peers it closed, so that every buffer
 * they still hold is released), it collects garbage and lets Netty's leak detector report buffers
 * that were collected unreleased. Only leaks whose recorded stack traces pass through the test class
 * count, so leaks of other test classes in the same JVM are not blamed on it. Needs the leak detector
 * at {@code paranoid}, as the build runs tests, so that every buffer is tracked.
 */
final class NoLeaks implements AfterEachCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        try {
            // The detector every buffer of every allocator reports to; Netty offers no other hook.
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ((ResourceLeakDetector<?>) field.get(null)).setLeakListener((type, records) -> LEAKS.add(records));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        String testClass = context.getRequiredTestClass().getName();
        for (int round = 0; round < 4; round++) {
            System.gc();
            Thread.sleep(20);
            ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(1); // tracking a buffer reports collected leaks
            probe.release();
        }
        List<String> ours =
                LEAKS.stream().filter(records -> records.contains(testClass)).toList();
        LEAKS.removeAll(ours);
        if (!ours.isEmpty()) {
            throw new AssertionError(ours.size() + " buffer(s) leaked; the first:\n" + ours.getFirst());
        }
    }
}
