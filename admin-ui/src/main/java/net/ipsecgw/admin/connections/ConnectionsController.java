package net.ipsecgw.admin.connections;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.ipsecgw.admin.gateway.GatewayControl;
import net.ipsecgw.ike.config.ConfigValueException;
import net.ipsecgw.ike.config.ConnectionConfig;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The IKE connections: list, read, create, change, delete. A form is checked by building the {@link
 * ConnectionConfig} it describes; a bad field is answered with 400 and {@code {field, problem}}. Every
 * change is saved atomically and handed to the running gateway; the answer says whether the gateway
 * runs it now ({@code applied: true}) or why not ({@code applied: false}, {@code note}: e.g. applied
 * at the next start), never claiming more than happened. Secrets are write-only: answers say {@code
 * psk-set: true}, and an edit that leaves the PSK empty keeps the old one.
 */
@RestController
@RequestMapping("/api/connections")
class ConnectionsController {
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(10);

    private final ConnectionStore store;
    private final GatewayControl gateway;

    ConnectionsController(ConnectionStore store, GatewayControl gateway) {
        this.store = store;
        this.gateway = gateway;
    }

    @GetMapping
    List<Map<String, Object>> list() {
        return store.list().stream().map(c -> ConnectionYaml.toMap(c, false)).toList();
    }

    @GetMapping("/{name}")
    ResponseEntity<Map<String, Object>> get(@PathVariable String name) {
        return ResponseEntity.of(store.find(name).map(c -> ConnectionYaml.toMap(c, false)));
    }

    @PostMapping
    Mono<ResponseEntity<Map<String, Object>>> create(@RequestBody Map<String, Object> form) {
        ConnectionConfig connection = ConnectionForm.bind(form);
        if (store.find(connection.name()).isPresent()) {
            throw new ConnectionForm.FieldProblem("name", "'" + connection.name() + "' is already a connection");
        }
        return applied(store.add(connection), ConnectionYaml.toMap(connection, false))
                .map(body -> ResponseEntity.status(HttpStatus.CREATED).body(body));
    }

    @PutMapping("/{name}")
    Mono<ResponseEntity<Map<String, Object>>> update(@PathVariable String name, @RequestBody Map<String, Object> form) {
        Map<String, Object> withSecret = keepSecret(name, form);
        ConnectionConfig connection = ConnectionForm.bind(withSecret);
        if (!connection.name().equals(name) && store.find(connection.name()).isPresent()) {
            throw new ConnectionForm.FieldProblem("name", "'" + connection.name() + "' is already a connection");
        }
        return store.replace(name, connection)
                .map(list ->
                        applied(list, ConnectionYaml.toMap(connection, false)).map(ResponseEntity::ok))
                .orElse(Mono.just(ResponseEntity.notFound().build()));
    }

    @DeleteMapping("/{name}")
    Mono<ResponseEntity<Map<String, Object>>> delete(@PathVariable String name) {
        return store.remove(name)
                .map(list -> applied(list, new LinkedHashMap<String, Object>(Map.of("name", name)))
                        .map(ResponseEntity::ok))
                .orElse(Mono.just(ResponseEntity.notFound().build()));
    }

    /** Hands the saved list to the gateway and adds to {@code body} whether it runs it now. */
    private Mono<Map<String, Object>> applied(List<ConnectionConfig> saved, Map<String, Object> body) {
        Map<String, Object> answer = new LinkedHashMap<>(body);
        return Mono.fromCompletionStage(gateway.reloadConnections(saved))
                .timeout(APPLY_TIMEOUT)
                .then(Mono.fromSupplier(() -> {
                    answer.put("applied", true);
                    answer.put("note", "the gateway runs the saved connections now");
                    return answer;
                }))
                .onErrorResume(failure -> {
                    answer.put("applied", false);
                    answer.put("note", note(failure));
                    return Mono.just(answer);
                });
    }

    private static String note(Throwable failure) {
        if (failure instanceof java.util.concurrent.TimeoutException) {
            return "saved; the gateway is still applying it";
        }
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        String message = String.valueOf(cause.getMessage());
        return message.startsWith("saved") ? message : "saved; not running yet: " + message;
    }

    /** An edit with an empty PSK keeps the stored one. */
    private Map<String, Object> keepSecret(String name, Map<String, Object> form) {
        Object psk = form.get("psk");
        if (psk != null && !psk.toString().isBlank()) {
            return form;
        }
        Map<String, Object> copy = new LinkedHashMap<>(form);
        store.find(name).map(c -> ConnectionYaml.toMap(c, true).get("psk")).ifPresent(old -> copy.put("psk", old));
        return copy;
    }

    @ExceptionHandler(ConnectionForm.FieldProblem.class)
    ResponseEntity<Map<String, String>> badField(ConnectionForm.FieldProblem e) {
        return ResponseEntity.badRequest().body(Map.of("field", e.field(), "problem", e.problem()));
    }

    /** The gateway's cross-checks (a name that a manual tunnel already has). */
    @ExceptionHandler(ConfigValueException.class)
    ResponseEntity<Map<String, String>> badGateway(ConfigValueException e) {
        return ResponseEntity.badRequest()
                .body(Map.of(
                        "field",
                        ConnectionForm.field(e.key().replaceFirst("^connections\\[\\d+]\\.", "")),
                        "problem",
                        e.problem()));
    }
}
