package net.ipsecgw.admin.system;

import java.util.Map;
import java.util.NoSuchElementException;
import net.ipsecgw.admin.gateway.IkeUnavailableException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * How the REST API answers a request it cannot carry out: {@code {"error": "..."}} with 404 for an
 * unknown name, 409 for an action that makes no sense for the thing named, 503 for one that needs the
 * IKE control plane while it is not running. Never a fake success.
 */
@RestControllerAdvice
class ApiErrors {
    @ExceptionHandler(IkeUnavailableException.class)
    ResponseEntity<Map<String, String>> unavailable(IkeUnavailableException e) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    @ExceptionHandler(NoSuchElementException.class)
    ResponseEntity<Map<String, String>> unknown(NoSuchElementException e) {
        return error(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, String>> conflict(IllegalArgumentException e) {
        return error(HttpStatus.CONFLICT, e.getMessage());
    }

    private static ResponseEntity<Map<String, String>> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(Map.of("error", message));
    }
}
