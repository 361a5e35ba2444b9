package net.ipsecgw.admin.tunnels;

import java.util.List;
import net.ipsecgw.admin.gateway.DataPathStatus;
import net.ipsecgw.admin.gateway.GatewayControl;
import net.ipsecgw.admin.gateway.LaneSnapshot;
import net.ipsecgw.admin.gateway.TunnelView;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The dashboard's data: the data path's status, the tunnels with their IKE and Child SAs, the lanes'
 * counters, the live per-lane load (server-sent events), and the operator's actions on a connection.
 */
@RestController
class TunnelsController {
    private final GatewayControl gateway;
    private final LaneLoadSampler sampler;

    TunnelsController(GatewayControl gateway, LaneLoadSampler sampler) {
        this.gateway = gateway;
        this.sampler = sampler;
    }

    @GetMapping("/api/status")
    DataPathStatus status() {
        return gateway.status();
    }

    @GetMapping("/api/tunnels")
    List<TunnelView> tunnels() {
        return gateway.tunnels();
    }

    @GetMapping("/api/lanes")
    List<LaneSnapshot> lanes() {
        return gateway.lanes();
    }

    @GetMapping(path = "/api/lanes/load", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<LaneLoadSampler.LoadSample>> load() {
        return sampler.samples()
                .map(sample -> ServerSentEvent.builder(sample).event("load").build());
    }

    @PostMapping("/api/tunnels/{name}/initiate")
    Mono<ResponseEntity<Void>> initiate(@PathVariable String name) {
        return done(Mono.fromCompletionStage(() -> gateway.initiate(name)));
    }

    @PostMapping("/api/tunnels/{name}/terminate")
    Mono<ResponseEntity<Void>> terminate(@PathVariable String name) {
        return done(Mono.fromCompletionStage(() -> gateway.terminate(name)));
    }

    @PostMapping("/api/tunnels/{name}/rekey")
    Mono<ResponseEntity<Void>> rekey(@PathVariable String name) {
        return done(Mono.fromCompletionStage(() -> gateway.rekey(name)));
    }

    private static Mono<ResponseEntity<Void>> done(Mono<Void> action) {
        return action.then(Mono.just(ResponseEntity.noContent().build()));
    }
}
