package net.ipsecgw.admin.tunnels;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.ipsecgw.admin.gateway.GatewayControl;
import net.ipsecgw.admin.gateway.LaneSnapshot;
import org.springframework.beans.factory.DisposableBean;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Samples every lane's counters at a fixed interval and turns them into rates for the dashboard's
 * live chart. Keeps the last window of samples, so that a browser that connects sees the recent
 * minutes at once, then every new sample. Sampling runs on Reactor's timer; subscribers share it.
 */
public final class LaneLoadSampler implements DisposableBean {
    private final GatewayControl gateway;
    private final double seconds;
    private final Sinks.Many<LoadSample> samples;
    private final Map<String, LaneSnapshot> previous = new HashMap<>();
    private final Disposable ticker;

    /** Samples {@code gateway} every {@code interval}, keeping {@code window} of history. */
    public LaneLoadSampler(GatewayControl gateway, Duration interval, Duration window) {
        this.gateway = gateway;
        this.seconds = interval.toNanos() / 1e9;
        int keep = (int) Math.max(1, window.toMillis() / Math.max(1, interval.toMillis()));
        this.samples = Sinks.many().replay().limit(keep);
        this.ticker = Flux.interval(interval, interval).subscribe(tick -> sample());
    }

    /** The recent samples, then each new one. */
    public Flux<LoadSample> samples() {
        return samples.asFlux();
    }

    /** Takes one sample now (the timer does this; tests call it directly). */
    synchronized void sample() {
        List<LaneSnapshot> lanes = gateway.lanes();
        List<LaneLoad> loads = lanes.stream().map(this::load).toList();
        lanes.forEach(lane -> previous.put(key(lane), lane));
        samples.tryEmitNext(new LoadSample(System.currentTimeMillis(), loads));
    }

    private LaneLoad load(LaneSnapshot now) {
        LaneSnapshot before = previous.getOrDefault(key(now), now);
        return new LaneLoad(
                now.gateway(),
                now.lane(),
                rate(now.espInPackets() - before.espInPackets()),
                rate(now.espOutPackets() - before.espOutPackets()),
                rate(8 * (now.espInBytes() - before.espInBytes())),
                rate(8 * (now.espOutBytes() - before.espOutBytes())));
    }

    private double rate(long delta) {
        return Math.max(0, delta) / seconds;
    }

    private static String key(LaneSnapshot lane) {
        return lane.gateway() + "/" + lane.lane();
    }

    @Override
    public void destroy() {
        ticker.dispose();
    }

    /**
     * The load of every lane over one interval.
     *
     * @param time when it was taken (milliseconds since the epoch)
     * @param lanes one entry per lane
     */
    public record LoadSample(long time, List<LaneLoad> lanes) {}

    /**
     * One lane's load.
     *
     * @param gateway the lane's gateway
     * @param lane the lane's index
     * @param inPps ESP packets decrypted per second
     * @param outPps ESP packets encrypted per second
     * @param inBps inner bits decrypted per second
     * @param outBps inner bits encrypted per second
     */
    public record LaneLoad(String gateway, int lane, double inPps, double outPps, double inBps, double outBps) {}
}
