package net.ipsecgw.admin.certificates;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.support.WebExchangeBindException;

/** Certificates: list, download (certificates only, never keys), import, generate a CA, issue. */
@RestController
@RequestMapping("/api/certificates")
class CertificatesController {
    private final CertificateStore store;

    CertificatesController(CertificateStore store) {
        this.store = store;
    }

    /** An imported certificate. */
    record ImportRequest(@NotBlank String name, @NotBlank String pem) {}

    /** A new CA. */
    record AuthorityRequest(
            @NotBlank String name,
            @NotBlank String commonName,
            @Min(1) @Max(7300) int validityDays) {}

    /** A certificate to issue from a stored CA. */
    record IssueRequest(
            @NotBlank String name,
            @NotBlank String ca,
            @NotBlank String commonName,
            List<String> subjectAltNames,
            @Min(1) @Max(3650) int validityDays) {}

    @GetMapping
    List<CertificateInfo> list() {
        return store.list();
    }

    @GetMapping(path = "/{name}", produces = "application/x-pem-file")
    String download(@PathVariable String name) {
        return store.pem(name);
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    CertificateInfo importPem(@Valid @RequestBody ImportRequest request) {
        return store.importPem(request.name(), request.pem());
    }

    @PostMapping("/authorities")
    @ResponseStatus(HttpStatus.CREATED)
    CertificateInfo createAuthority(@Valid @RequestBody AuthorityRequest request) {
        return store.createAuthority(request.name(), request.commonName(), Duration.ofDays(request.validityDays()));
    }

    @PostMapping("/issued")
    @ResponseStatus(HttpStatus.CREATED)
    CertificateInfo issue(@Valid @RequestBody IssueRequest request) {
        List<String> sans = Objects.requireNonNullElse(request.subjectAltNames(), List.<String>of()).stream()
                .filter(s -> !s.isBlank())
                .map(String::strip)
                .toList();
        return store.issue(
                request.name(), request.ca(), request.commonName(), sans, Duration.ofDays(request.validityDays()));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, String>> bad(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(WebExchangeBindException.class)
    ResponseEntity<Map<String, String>> invalid(WebExchangeBindException e) {
        var error = e.getFieldErrors().getFirst();
        return ResponseEntity.badRequest()
                .body(Map.of("field", error.getField(), "problem", Objects.toString(error.getDefaultMessage())));
    }
}
