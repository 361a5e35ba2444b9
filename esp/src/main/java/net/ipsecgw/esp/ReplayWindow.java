package net.ipsecgw.esp;

/**
 * Anti-replay window for an inbound SA (RFC 4303 §3.4.3), kept as a ring of 64-bit blocks in the
 * manner of RFC 6479: moving the window clears whole blocks instead of shifting the bitmap, so the
 * cost of a jump ahead does not grow with the window size.
 *
 * <p>Use it in two steps, as RFC 4303 §3.4.3 orders them: {@link #check(long)} before decryption (cheap
 * rejection of replays without spending an AEAD operation on them), and {@link #commit(long)} only
 * after the ICV verified, so that a forged packet can never move the window.
 *
 * <p>Also infers the high half of extended sequence numbers from the window (RFC 4303 Appendix A2).
 *
 * <p>Not thread-safe and needs no lock: one inbound SA owns it, and one lane thread owns the SA.
 */
public final class ReplayWindow {
    /** Default window size in packets. */
    public static final int DEFAULT_SIZE = 1024;
    /** Largest window accepted. */
    public static final int MAX_SIZE = 1 << 16;

    private static final int BLOCK_SHIFT = 6;
    private static final int BLOCK_BITS = 1 << BLOCK_SHIFT;

    private final int size;
    private final long[] ring;
    private final int ringMask;
    /** Highest sequence number committed so far (0: none yet). */
    private long top;

    /**
     * A window accepting sequence numbers up to {@code size - 1} below the highest one seen; size 0
     * disables anti-replay (RFC 4303 §3.4.3 lets a receiver do so, e.g. under manual keying): every
     * non-zero sequence number passes, and only the top is tracked, for ESN inference.
     */
    public ReplayWindow(int size) {
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("replay window size must be 0.." + MAX_SIZE + ", got " + size);
        }
        this.size = size;
        // One block more than the window covers, so the block being cleared for a new top never
        // holds a bit that is still inside the window (RFC 6479 §2).
        int needed = ((size + BLOCK_BITS - 1) >>> BLOCK_SHIFT) + 1;
        int blocks = Integer.highestOneBit(needed - 1) << 1; // a power of two, for masking
        this.ring = new long[blocks];
        this.ringMask = blocks - 1;
    }

    /** The window size in packets. */
    public int size() {
        return size;
    }

    /** The highest sequence number committed so far, 0 before the first. */
    public long top() {
        return top;
    }

    /** True when {@code seq} is neither zero, nor left of the window, nor already committed. */
    public boolean check(long seq) {
        if (seq == 0) {
            return false;
        }
        if (Long.compareUnsigned(seq, top) > 0 || size == 0) {
            return true;
        }
        if (Long.compareUnsigned(top - seq, size) >= 0) {
            return false;
        }
        return (ring[blockIndex(seq)] & bit(seq)) == 0;
    }

    /**
     * Records {@code seq} as received; call only after {@link #check(long)} passed and the packet was
     * authenticated. Returns false if it had been committed meanwhile (then nothing changes).
     */
    public boolean commit(long seq) {
        if (size == 0) {
            top = Long.compareUnsigned(seq, top) > 0 ? seq : top;
            return seq != 0;
        }
        if (Long.compareUnsigned(seq, top) > 0) {
            advanceTo(seq);
        } else if (seq == 0 || Long.compareUnsigned(top - seq, size) >= 0) {
            return false;
        }
        int block = blockIndex(seq);
        long mask = bit(seq);
        if ((ring[block] & mask) != 0) {
            return false;
        }
        ring[block] |= mask;
        return true;
    }

    /**
     * The full 64-bit sequence number of a packet carrying {@code low} in its header, inferred from
     * the window as in RFC 4303 Appendix A2.2. Returns 0 (never a valid sequence number) when the
     * inference would fall below the first sequence number.
     */
    public long inferEsn(int low) {
        long tl = top & 0xFFFF_FFFFL;
        long th = top >>> 32;
        long seql = low & 0xFFFF_FFFFL;
        // Without anti-replay the default window still bounds how late a packet may be.
        int w = size == 0 ? DEFAULT_SIZE : size;
        long bottom = (tl - w + 1) & 0xFFFF_FFFFL;
        long seqh;
        if (tl >= w - 1) {
            // Case A: the window lies within one 2^32 subspace.
            seqh = seql >= bottom ? th : th + 1;
        } else {
            // Case B: the window spans two subspaces.
            if (seql >= bottom) {
                if (th == 0) {
                    return 0;
                }
                seqh = th - 1;
            } else {
                seqh = th;
            }
        }
        return (seqh << 32) | seql;
    }

    private void advanceTo(long seq) {
        long oldBlock = top >>> BLOCK_SHIFT;
        long newBlock = seq >>> BLOCK_SHIFT;
        long toClear = newBlock - oldBlock;
        if (Long.compareUnsigned(toClear, ring.length) > 0) {
            toClear = ring.length;
        }
        for (long i = 1; i <= toClear; i++) {
            ring[(int) ((oldBlock + i) & ringMask)] = 0;
        }
        top = seq;
    }

    private int blockIndex(long seq) {
        return (int) ((seq >>> BLOCK_SHIFT) & ringMask);
    }

    private static long bit(long seq) {
        return 1L << (seq & (BLOCK_BITS - 1));
    }
}
