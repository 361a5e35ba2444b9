package net.ipsecgw.ike.dataplane;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the IKE control plane asks of the data path. The gateway implements it over its lanes; the
 * in-process exchange tests implement it with a recording fake. Every method is called on the
 * control loop's thread; installs and removals complete asynchronously, on the control loop, once
 * every lane has the new tables.
 *
 * <p>Rekeying is make-before-break: the new pair is {@linkplain #install installed} (its inbound SA is
 * usable at once and its outbound SA replaces the old one on its lane(s)), and only later is the old
 * pair {@linkplain #remove removed}, so packets still in flight under the old SPI are accepted.
 */
public interface DataPlane {
    /** How many lanes the data path has (N in {@code SPI mod N}). */
    int laneCount();

    /**
     * A fresh inbound SPI, not 0..255 and not in use, that the kernel steers to {@code lane}
     * ({@code Integer.remainderUnsigned(spi, laneCount()) == lane}). Reserved until {@link #releaseSpi}
     * or the removal of the pair that used it.
     */
    int allocateSpi(int lane);

    /** Returns an SPI that was allocated but never installed (the exchange failed). */
    void releaseSpi(int spi);

    /**
     * Declares a tunnel's policy before it has SAs: traffic matching it on a lane that has no SA for
     * it yet is dropped and reported with {@link DataPlaneListener#acquire(String, int)}.
     */
    void installPolicy(String tunnel, List<TsRange> localTs, List<TsRange> remoteTs);

    /** Removes a tunnel's policy and every pair still installed for it. */
    CompletionStage<Void> removePolicy(String tunnel);

    /** Installs a pair on its lane (or, for the fallback pair, on every lane). */
    CompletionStage<Void> install(ChildSaSpec sa);

    /** Removes a pair; its SPI becomes free. Unknown ids are ignored. */
    CompletionStage<Void> remove(long id);

    /**
     * An IKE SA is established, or what {@link IkeSaPath} says of it changed (its peer's address): the
     * data path keeps the NAT in front of this side open towards {@code path.remote()} while
     * {@code path.natHere()} (RFC 3948 §4), until {@link #ikeSaGone(long)}.
     */
    void ikeSaPath(IkeSaPath path);

    /** The IKE SA {@code id} of an earlier {@link #ikeSaPath} is gone. Unknown ids are ignored. */
    void ikeSaGone(long id);

    /** What a pair has carried so far. */
    ChildSaUsage usage(long id);

    /**
     * Sends an IKE message. From the NAT-T port ({@code local.getPort()} is the gateway's NAT-T port)
     * the data path prefixes the non-ESP marker (RFC 3948 §2.2); from port 500 it sends the message as
     * it is. Takes ownership of {@code message}.
     */
    void sendIke(ByteBuf message, InetSocketAddress local, InetSocketAddress remote);
}
