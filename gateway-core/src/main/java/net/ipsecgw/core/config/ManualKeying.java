package net.ipsecgw.core.config;

import java.util.List;
import java.util.Objects;
import net.ipsecgw.esp.EspCipherSuite;
import net.ipsecgw.esp.ReplayWindow;

/**
 * Statically keyed SAs of one tunnel. One SA without a lane is the fallback SA (RFC 9611): every lane
 * may send on it; SAs with a lane are that lane's per-CPU SAs. Inbound SAs land on lane
 * {@code SPI mod N}, so an inbound SA that names a lane must have an SPI that maps to it.
 *
 * @param suite the AEAD transform of every SA of the tunnel
 * @param esn extended sequence numbers (RFC 4304)
 * @param replayWindow inbound anti-replay window in packets (default 1024; 0 disables)
 * @param outbound the SAs this gateway sends on
 * @param inbound the SAs this gateway receives on
 */
public record ManualKeying(
        EspCipherSuite suite, boolean esn, Integer replayWindow, List<ManualSa> outbound, List<ManualSa> inbound) {

    /** Defaults and checks: exactly one outbound fallback, at most one outbound SA per lane. */
    public ManualKeying {
        suite = Objects.requireNonNullElse(suite, EspCipherSuite.AES_128_GCM_16);
        replayWindow = Objects.requireNonNullElse(replayWindow, ReplayWindow.DEFAULT_SIZE);
        outbound = List.copyOf(Objects.requireNonNullElse(outbound, List.of()));
        inbound = List.copyOf(Objects.requireNonNullElse(inbound, List.of()));
        if (outbound.stream().filter(sa -> sa.lane() == null).count() != 1) {
            throw new IllegalArgumentException("outbound needs exactly one SA without a lane: the fallback SA");
        }
        if (outbound.stream()
                        .filter(sa -> sa.lane() != null)
                        .map(ManualSa::lane)
                        .distinct()
                        .count()
                != outbound.size() - 1) {
            throw new IllegalArgumentException("outbound has two SAs for one lane");
        }
        if (inbound.isEmpty()) {
            throw new IllegalArgumentException("inbound needs at least one SA");
        }
    }
}
