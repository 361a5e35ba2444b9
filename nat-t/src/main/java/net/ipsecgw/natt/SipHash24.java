package net.ipsecgw.natt;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * SipHash-2-4, the keyed 64-bit pseudorandom function of Aumasson and Bernstein ("SipHash: a fast
 * short-input PRF", 2012): two compression rounds per 8-octet word, four finalization rounds.
 *
 * <p>Used to derive encapsulation source ports from a secret key ({@link EncapsulationPorts}), so that
 * an outsider cannot predict them yet a restart with the same key reproduces them. Not on the data
 * path: each call allocates its small state object.
 *
 * <p>Stateless and thread-safe.
 */
public final class SipHash24 {
    /** Length of a SipHash key in octets. */
    public static final int KEY_LENGTH = 16;

    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private SipHash24() {}

    /** SipHash-2-4 of {@code message} under the 16-octet {@code key}, as in the paper's reference. */
    public static long hash(byte[] key, byte[] message) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("SipHash key must be 16 octets, got " + key.length);
        }
        return hash((long) LE_LONG.get(key, 0), (long) LE_LONG.get(key, 8), message);
    }

    /** SipHash-2-4 of {@code message} under the key halves k0, k1 (octets 0-7 and 8-15, little-endian). */
    public static long hash(long k0, long k1, byte[] message) {
        State s = new State(k0, k1);
        int whole = message.length & ~7;
        for (int i = 0; i < whole; i += 8) {
            s.compress((long) LE_LONG.get(message, i));
        }
        s.compress(lastWord(message, whole));
        return s.finish();
    }

    /** The final word: the remaining 0-7 octets little-endian, the message length mod 256 on top. */
    private static long lastWord(byte[] message, int from) {
        long word = (long) message.length << 56;
        for (int i = from; i < message.length; i++) {
            word |= (message[i] & 0xFFL) << (8 * (i - from));
        }
        return word;
    }

    /** The four 64-bit state words v0..v3 (paper §2). */
    private static final class State {
        private long v0;
        private long v1;
        private long v2;
        private long v3;

        State(long k0, long k1) {
            // "somepseudorandomlygeneratedbytes", the paper's initialization constants.
            v0 = k0 ^ 0x736f6d6570736575L;
            v1 = k1 ^ 0x646f72616e646f6dL;
            v2 = k0 ^ 0x6c7967656e657261L;
            v3 = k1 ^ 0x7465646279746573L;
        }

        void compress(long m) {
            v3 ^= m;
            round();
            round();
            v0 ^= m;
        }

        long finish() {
            v2 ^= 0xff;
            for (int i = 0; i < 4; i++) {
                round();
            }
            return v0 ^ v1 ^ v2 ^ v3;
        }

        private void round() {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13) ^ v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16) ^ v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21) ^ v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17) ^ v2;
            v2 = Long.rotateLeft(v2, 32);
        }
    }
}
