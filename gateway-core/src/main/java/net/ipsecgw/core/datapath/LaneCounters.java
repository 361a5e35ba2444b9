package net.ipsecgw.core.datapath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import net.ipsecgw.esp.DropReason;

/**
 * One lane's packet counters. Written only by the lane's thread, with opaque stores so that readers on
 * other threads (metrics, status) see each value whole and eventually; no lock and no atomic
 * read-modify-write on the packet path.
 */
public final class LaneCounters {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int ESP_IN = 0;
    private static final int ESP_IN_BYTES = 1;
    private static final int ESP_OUT = 2;
    private static final int ESP_OUT_BYTES = 3;
    private static final int KEEPALIVES = 4;
    private static final int IKE = 5;
    private static final int GSO_SENDS = 6;
    private static final int GSO_SEGMENTS = 7;
    private static final int ESP_DROPS = 8;
    private static final int PATH_DROPS = ESP_DROPS + DropReason.values().length;
    private static final int SIZE = PATH_DROPS + PathDrop.VALUES.length;

    private final long[] slots = new long[SIZE];

    private void add(int slot, long delta) {
        SLOTS.setOpaque(slots, slot, (long) SLOTS.getOpaque(slots, slot) + delta);
    }

    private long get(int slot) {
        return (long) SLOTS.getOpaque(slots, slot);
    }

    void received(int innerBytes) {
        add(ESP_IN, 1);
        add(ESP_IN_BYTES, innerBytes);
    }

    void sent(int innerBytes) {
        add(ESP_OUT, 1);
        add(ESP_OUT_BYTES, innerBytes);
    }

    void gsoSent(int segments) {
        add(GSO_SENDS, 1);
        add(GSO_SEGMENTS, segments);
    }

    void keepalive() {
        add(KEEPALIVES, 1);
    }

    void ikeReceived() {
        add(IKE, 1);
    }

    void drop(DropReason reason) {
        add(ESP_DROPS + reason.ordinal(), 1);
    }

    void drop(PathDrop reason) {
        add(PATH_DROPS + reason.ordinal(), 1);
    }

    /** ESP packets decrypted and admitted by the tunnel's selectors, handed on to the TUN queue. */
    public long espReceived() {
        return get(ESP_IN);
    }

    /** Bytes of inner packets delivered. */
    public long espReceivedBytes() {
        return get(ESP_IN_BYTES);
    }

    /** ESP packets encrypted and handed to the socket. */
    public long espSent() {
        return get(ESP_OUT);
    }

    /** Bytes of inner packets sent. */
    public long espSentBytes() {
        return get(ESP_OUT_BYTES);
    }

    /** UDP GSO sends: runs of two or more ESP packets written as one segmented datagram. */
    public long gsoSends() {
        return get(GSO_SENDS);
    }

    /** ESP packets sent within {@link #gsoSends()} (the rest of {@link #espSent()} went out one by one). */
    public long gsoSegments() {
        return get(GSO_SEGMENTS);
    }

    /** NAT keepalives received (RFC 3948 §2.3). */
    public long keepalives() {
        return get(KEEPALIVES);
    }

    /** IKE messages received on the NAT-T port. */
    public long ikeMessages() {
        return get(IKE);
    }

    /** ESP packets dropped for {@code reason} (unknown SPIs included). */
    public long drops(DropReason reason) {
        return get(ESP_DROPS + reason.ordinal());
    }

    /** Packets the pipeline dropped for {@code reason}. */
    public long drops(PathDrop reason) {
        return get(PATH_DROPS + reason.ordinal());
    }
}
