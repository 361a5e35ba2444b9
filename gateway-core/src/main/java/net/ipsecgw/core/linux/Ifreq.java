package net.ipsecgw.core.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct ifreq} from {@code <net/if.h>}: a 16-byte interface name followed by a 24-byte union,
 * of which the TUN and interface ioctls use a {@code short} (flags) or an {@code int} (MTU) at offset 16.
 *
 * <pre>
 * struct ifreq {
 *     char ifr_name[IFNAMSIZ];            // 16 bytes, NUL-terminated
 *     union { short ifr_flags; int ifr_mtu; ... (24 bytes) };
 * };
 * </pre>
 *
 * <p>Confined to the thread that allocated it (its arena's owner).
 */
final class Ifreq {
    /** {@code IFNAMSIZ}: the name field, including its terminating NUL. */
    static final int IFNAMSIZ = 16;

    private static final long SIZE = 40;
    private static final long UNION_OFFSET = IFNAMSIZ;

    private final MemorySegment segment;

    private Ifreq(MemorySegment segment) {
        this.segment = segment;
    }

    /** A zeroed request for interface {@code name} (already validated by {@link InterfaceNames}). */
    static Ifreq forName(Arena arena, String name) {
        MemorySegment segment = arena.allocate(SIZE, 8);
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new Ifreq(segment);
    }

    MemorySegment segment() {
        return segment;
    }

    /** The name the kernel left in the request (TUNSETIFF writes back the name it chose). */
    String name() {
        return segment.asSlice(0, IFNAMSIZ).getString(0, StandardCharsets.US_ASCII);
    }

    short flags() {
        return segment.get(ValueLayout.JAVA_SHORT, UNION_OFFSET);
    }

    void flags(short flags) {
        segment.set(ValueLayout.JAVA_SHORT, UNION_OFFSET, flags);
    }

    int intValue() {
        return segment.get(ValueLayout.JAVA_INT, UNION_OFFSET);
    }

    void intValue(int value) {
        segment.set(ValueLayout.JAVA_INT, UNION_OFFSET, value);
    }
}
