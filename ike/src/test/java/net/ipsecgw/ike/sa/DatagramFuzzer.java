package net.ipsecgw.ike.sa;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.message.IkeHeader;
import net.ipsecgw.ike.message.PayloadType;

/**
 * Hands the receiver of a real datagram damaged copies of it: every byte flipped (all bits, then the
 * lowest bit), every truncation as it is and with the header's length fixed up to the shorter size.
 * For each copy it checks that the receiver either counted a drop or answered with a response, and
 * that it neither sent a request of its own nor changed an IKE SA or a Child SA that existed before:
 * the only new state a copy may create is a half-open responder IKE SA (a damaged IKE_SA_INIT request
 * can still be a valid one). What the copies make the receiver send is taken off the wire.
 */
final class DatagramFuzzer {
    private final TwoPeers peers;
    private final List<String> unaccounted = new ArrayList<>();
    private final Set<String> messages = new LinkedHashSet<>();
    private int copies;
    private int answered;

    DatagramFuzzer(TwoPeers peers) {
        this.peers = peers;
    }

    /** Delivers every damaged copy of {@code real} to its receiver, checking each. */
    void damage(RecordingDataPlane.Datagram real) {
        messages.add(describe(real));
        IkeDaemon receiver = peers.receiver(real);
        RecordingDataPlane plane = receiver == peers.a ? peers.planeA : peers.planeB;
        Map<IkeSa, IkeSa.State> before = states(receiver);
        Map<Long, ChildSaSpec> installed = new HashMap<>(plane.installed);
        for (Copy copy : copies(real.bytes())) {
            deliver(real, receiver, copy);
            checkUnchanged(real, copy, receiver, before);
            if (!plane.installed.equals(installed)) {
                unaccounted.add(describe(real) + " " + copy.what() + ": changed the installed Child SAs");
                installed = new HashMap<>(plane.installed);
            }
        }
    }

    private void deliver(RecordingDataPlane.Datagram real, IkeDaemon receiver, Copy copy) {
        long counted = total(receiver);
        int onWire = peers.wire.size();
        // Every 16th copy in a leak-tracked direct buffer (paranoid tracking of all is slow); all are
        // checked to be released.
        peers.inject(real, copy.bytes(), copies++ % 16 == 0);
        List<RecordingDataPlane.Datagram> sent = peers.takeSentSince(onWire);
        if (sent.stream().anyMatch(d -> !TwoPeers.isResponse(d))) {
            unaccounted.add(describe(real) + " " + copy.what() + ": the receiver sent a request");
        }
        if (!sent.isEmpty()) {
            answered++;
        } else if (total(receiver) == counted) {
            unaccounted.add(describe(real) + " " + copy.what() + ": neither answered nor counted");
        }
    }

    private void checkUnchanged(
            RecordingDataPlane.Datagram real, Copy copy, IkeDaemon receiver, Map<IkeSa, IkeSa.State> before) {
        Map<IkeSa, IkeSa.State> after = states(receiver);
        before.forEach((sa, state) -> {
            if (after.get(sa) != state) {
                unaccounted.add(describe(real) + " " + copy.what() + ": " + sa + " was " + state);
            }
        });
        after.forEach((sa, state) -> {
            boolean halfOpen = !sa.isOriginalInitiator() && state == IkeSa.State.CONNECTING;
            if (!before.containsKey(sa) && !halfOpen) {
                unaccounted.add(describe(real) + " " + copy.what() + ": created " + sa);
            }
        });
        before.keySet().retainAll(after.keySet());
        before.putAll(after);
    }

    /** Problems found so far, one line each. */
    List<String> unaccounted() {
        return List.copyOf(unaccounted);
    }

    /** The messages damaged so far, as "IKE_AUTH request from 10.0.0.1". */
    Set<String> messages() {
        return Set.copyOf(messages);
    }

    int copies() {
        return copies;
    }

    int answered() {
        return answered;
    }

    static String describe(RecordingDataPlane.Datagram d) {
        return TwoPeers.exchange(d) + (TwoPeers.isResponse(d) ? " response" : " request") + " from "
                + d.from().getAddress().getHostAddress();
    }

    private static Map<IkeSa, IkeSa.State> states(IkeDaemon daemon) {
        Map<IkeSa, IkeSa.State> states = new LinkedHashMap<>();
        daemon.ikeSas().forEach(sa -> states.put(sa, sa.state()));
        return states;
    }

    private static long total(IkeDaemon daemon) {
        return daemon.counters().snapshot().values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /** One damaged copy and how it was damaged. */
    record Copy(String what, byte[] bytes) {}

    static List<Copy> copies(byte[] original) {
        List<Copy> copies = new ArrayList<>();
        int skipped = protectedReservedOctet(original);
        for (int i = 0; i < original.length; i++) {
            if (i == skipped) {
                continue;
            }
            copies.add(new Copy("byte " + i + " ^ 0xff", flipped(original, i, 0xff)));
            copies.add(new Copy("byte " + i + " ^ 0x01", flipped(original, i, 0x01)));
        }
        for (int length = 0; length < original.length; length++) {
            byte[] prefix = Arrays.copyOf(original, length);
            copies.add(new Copy("truncated to " + length, prefix));
            if (length >= IkeHeader.LENGTH) {
                byte[] fixed = prefix.clone();
                Unpooled.wrappedBuffer(fixed).setInt(24, length);
                copies.add(new Copy("truncated to " + length + ", length fixed", fixed));
            }
        }
        return copies;
    }

    /**
     * The C/RESERVED octet of the generic header of an SK or SKF payload that comes first, or -1. The
     * message package authenticates a re-encoding of that header with the octet as zero (RFC 7296
     * §3.2: ignored on receipt) instead of the octet as received (RFC 5282 §5.1), so a copy that
     * differs only there is the same message and is accepted as such; it is left out here.
     */
    private static int protectedReservedOctet(byte[] original) {
        if (original.length <= IkeHeader.LENGTH + 1) {
            return -1;
        }
        int first = original[16] & 0xff;
        return first == PayloadType.SK.value() || first == PayloadType.SKF.value() ? IkeHeader.LENGTH + 1 : -1;
    }

    private static byte[] flipped(byte[] original, int at, int mask) {
        byte[] copy = original.clone();
        copy[at] ^= (byte) mask;
        return copy;
    }
}
