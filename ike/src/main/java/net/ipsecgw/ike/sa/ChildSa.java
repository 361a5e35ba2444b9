package net.ipsecgw.ike.sa;

import java.util.List;
import net.ipsecgw.ike.dataplane.ChildSaSpec;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * A Child SA pair as the control plane keeps it: what was installed in the data path and where it
 * is in its life. Owned by the control loop thread.
 */
public final class ChildSa {
    /** Where a Child SA is in its life. */
    public enum State {
        /** Installed and in use. */
        INSTALLED,
        /** A rekey exchange for it is under way. */
        REKEYING,
        /** Replaced by a newer pair; kept until its deletion completes. */
        REKEYED,
        /** A delete exchange for it is under way. */
        DELETING
    }

    private final ChildSaSpec spec;
    private final long installedNanos;
    private State state = State.INSTALLED;
    private boolean inDataPath;
    private int rekeys;
    private PeerRekey peerRekey;

    /**
     * The peer's rekey of this pair that crossed ours (RFC 7296 §2.8.1): the pair it created and the
     * nonces of its exchange.
     */
    record PeerRekey(ChildSa created, byte[] ni, byte[] nr) {}

    ChildSa(ChildSaSpec spec, long installedNanos, int rekeys) {
        this.spec = spec;
        this.installedNanos = installedNanos;
        this.rekeys = rekeys;
    }

    /** What the data path has installed. */
    public ChildSaSpec spec() {
        return spec;
    }

    /** The control plane's id of the pair. */
    public long id() {
        return spec.id();
    }

    /** The lane of a per-CPU pair, or {@link ChildSaSpec#FALLBACK}. */
    public int lane() {
        return spec.lane();
    }

    /** Our SPI. */
    public int inboundSpi() {
        return spec.inboundSpi();
    }

    /** The peer's SPI. */
    public int outboundSpi() {
        return spec.outboundSpi();
    }

    /** The narrowed local selectors. */
    public List<TsRange> localTs() {
        return spec.localTs();
    }

    /** The narrowed remote selectors. */
    public List<TsRange> remoteTs() {
        return spec.remoteTs();
    }

    /** {@link System#nanoTime()} when it was installed. */
    public long installedNanos() {
        return installedNanos;
    }

    /**
     * True once the data path completed its install: every lane has the pair's SAs. Status shows only
     * such pairs, so that traffic sent on seeing one finds its SAs in place.
     */
    public boolean inDataPath() {
        return inDataPath;
    }

    void installedInDataPath() {
        this.inDataPath = true;
    }

    /** Its state. */
    public State state() {
        return state;
    }

    void state(State next) {
        this.state = next;
    }

    PeerRekey peerRekey() {
        return peerRekey;
    }

    void peerRekey(PeerRekey rekey) {
        this.peerRekey = rekey;
    }

    /** How many rekeys led to this pair (0 for a pair created fresh). */
    public int rekeys() {
        return rekeys;
    }

    @Override
    public String toString() {
        return spec + " " + state;
    }
}
