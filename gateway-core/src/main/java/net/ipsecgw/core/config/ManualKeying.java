package net.ipsecgw.core.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.ipsecgw.esp.EspCipherSuite;
import net.ipsecgw.esp.ReplayWindow;
import net.ipsecgw.ike.config.ConfigValueException;

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

    /**
     * Defaults and checks: the replay window's range, exactly one outbound fallback, at most one
     * outbound SA per lane, at least one inbound SA, and keys of the suite's length.
     *
     * @throws ConfigValueException naming the field that is wrong
     */
    public ManualKeying {
        suite = Objects.requireNonNullElse(suite, EspCipherSuite.AES_128_GCM_16);
        replayWindow = Objects.requireNonNullElse(replayWindow, ReplayWindow.DEFAULT_SIZE);
        outbound = List.copyOf(Objects.requireNonNullElse(outbound, List.of()));
        inbound = List.copyOf(Objects.requireNonNullElse(inbound, List.of()));
        if (replayWindow < 0 || replayWindow > ReplayWindow.MAX_SIZE) {
            throw new ConfigValueException(
                    "replay-window",
                    "must be 0 (anti-replay off) to " + ReplayWindow.MAX_SIZE + " packets, got " + replayWindow);
        }
        long fallbacks = outbound.stream().filter(sa -> sa.lane() == null).count();
        if (fallbacks != 1) {
            throw new ConfigValueException(
                    "outbound", "needs exactly one SA without a lane (the fallback SA), has " + fallbacks);
        }
        Map<Integer, Integer> laneSas = new HashMap<>();
        for (int i = 0; i < outbound.size(); i++) {
            Integer lane = outbound.get(i).lane();
            Integer first = lane == null ? null : laneSas.putIfAbsent(lane, i);
            if (first != null) {
                throw new ConfigValueException(
                        "outbound[" + i + "].lane",
                        "is " + lane + ", but outbound[" + first + "] is already lane " + lane
                                + "'s SA; a lane has at most one outbound SA");
            }
        }
        if (inbound.isEmpty()) {
            throw new ConfigValueException("inbound", "needs at least one SA");
        }
        checkKeys(suite, "outbound", outbound);
        checkKeys(suite, "inbound", inbound);
    }

    private static void checkKeys(EspCipherSuite suite, String direction, List<ManualSa> sas) {
        for (int i = 0; i < sas.size(); i++) {
            int length = sas.get(i).key().length();
            if (length != suite.keyMaterialLength()) {
                throw new ConfigValueException(
                        direction + "[" + i + "].key",
                        "has " + length + " bytes, but " + suite + " needs " + suite.keyMaterialLength()
                                + " (a " + suite.keyLength() + "-byte key and a " + EspCipherSuite.SALT_LENGTH
                                + "-byte salt)");
            }
        }
    }
}
