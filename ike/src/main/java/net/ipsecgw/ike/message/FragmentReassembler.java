package net.ipsecgw.ike.message;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reassembles messages sent as SKF fragments (RFC 7383 §2.6), for one IKE SA.
 *
 * <p>Each fragment is authenticated and decrypted on its own when it arrives, so a forged fragment is
 * rejected at once and never displaces a genuine one. Fragments are collected per message (message ID
 * and request/response), in any order; a duplicate is ignored. The rules of RFC 7383 §2.6 for the
 * Total Fragments field apply: a fragment announcing more fragments than those already received
 * restarts reassembly with itself, one announcing fewer is discarded. When the last missing fragment
 * arrives, the contents are joined in fragment order and decoded like the inside of an SK payload.
 *
 * <p>Limits keep a peer from holding memory: at most {@code maxFragments} per message, {@code
 * maxBytes} of decrypted content per message, and {@value #MAX_MESSAGES} messages in reassembly at
 * once (the oldest is dropped). The caller checks the message ID against its window before offering
 * a fragment.
 *
 * <p>Not thread-safe: owned by the IKE SA's control thread.
 */
public final class FragmentReassembler {
    /** Default cap on the fragments of one message. */
    public static final int DEFAULT_MAX_FRAGMENTS = 64;
    /** Default cap on the decrypted content of one message. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;
    /** Messages in reassembly at once, requests and responses together. */
    public static final int MAX_MESSAGES = 4;

    private final int maxFragments;
    private final int maxBytes;
    private final Map<Key, Reassembly> pending = new LinkedHashMap<>();

    /** A reassembler with the default limits. */
    public FragmentReassembler() {
        this(DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_BYTES);
    }

    /** A reassembler with the given limits per message. */
    public FragmentReassembler(int maxFragments, int maxBytes) {
        if (maxFragments < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxFragments = maxFragments;
        this.maxBytes = maxBytes;
    }

    /**
     * Adds one decoded fragment ({@link IkeMessage#isFragment()}).
     *
     * @param cipher the peer's SK cipher of this IKE SA
     * @return the reassembled, decrypted message (or why its content is bad) when this fragment
     *     completes it; {@link IkeDecodeResult.IntegrityFailed} if this fragment does not authenticate;
     *     empty while fragments are missing, and for a fragment ignored as duplicate, outnumbered or over
     *     a limit
     * @throws IllegalArgumentException if the message is not a fragment
     */
    public Optional<IkeDecodeResult> offer(IkeMessage fragment, SkCipher cipher) {
        if (!fragment.isFragment()) {
            throw new IllegalArgumentException("not an SKF fragment: " + fragment);
        }
        EncryptedFragmentPayload skf =
                (EncryptedFragmentPayload) fragment.payloads().getLast();
        if (skf.totalFragments() > maxFragments) {
            return Optional.empty();
        }
        byte[] content;
        try {
            content = SkCodec.open(fragment.header(), fragment.payloads(), cipher);
        } catch (DecodeFailure failure) {
            return Optional.of(failure.result());
        }
        return add(new Key(fragment.header().messageId(), fragment.header().isResponse()), fragment, skf, content);
    }

    private Optional<IkeDecodeResult> add(Key key, IkeMessage fragment, EncryptedFragmentPayload skf, byte[] content) {
        Reassembly r = pending.get(key);
        if (r == null || skf.totalFragments() > r.contents.length) {
            r = start(key, skf.totalFragments());
        } else if (skf.totalFragments() < r.contents.length) {
            return Optional.empty();
        }
        if (!r.add(skf.fragmentNumber(), fragment, content)) {
            return Optional.empty();
        }
        if (r.bytes > maxBytes) {
            pending.remove(key);
            return Optional.empty();
        }
        if (r.missing > 0) {
            return Optional.empty();
        }
        pending.remove(key);
        return Optional.of(r.assemble());
    }

    private Reassembly start(Key key, int total) {
        pending.remove(key);
        if (pending.size() >= MAX_MESSAGES) {
            Iterator<Key> oldest = pending.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        Reassembly r = new Reassembly(total);
        pending.put(key, r);
        return r;
    }

    /** Messages in reassembly now. */
    public int pendingMessages() {
        return pending.size();
    }

    /** Forgets every message in reassembly (e.g. when the IKE SA is deleted). */
    public void clear() {
        pending.clear();
    }

    private record Key(int messageId, boolean response) {}

    /** The fragments of one message received so far. */
    private static final class Reassembly {
        final byte[][] contents;
        int missing;
        int bytes;
        IkeMessage first;

        Reassembly(int total) {
            contents = new byte[total][];
            missing = total;
        }

        /** Stores a fragment's content; false for a duplicate. */
        boolean add(int number, IkeMessage fragment, byte[] content) {
            if (contents[number - 1] != null) {
                return false;
            }
            contents[number - 1] = content;
            missing--;
            bytes += content.length;
            if (number == 1) {
                first = fragment;
            }
            return true;
        }

        IkeDecodeResult assemble() {
            byte[] joined = new byte[bytes];
            int offset = 0;
            for (byte[] c : contents) {
                System.arraycopy(c, 0, joined, offset, c.length);
                offset += c.length;
            }
            EncryptedFragmentPayload skf =
                    (EncryptedFragmentPayload) first.payloads().getLast();
            try {
                return new IkeDecodeResult.Ok(first.withInner(skf.firstPayload(), joined));
            } catch (DecodeFailure failure) {
                return failure.result();
            }
        }
    }
}
