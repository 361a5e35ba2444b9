package net.ipsecgw.admin.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.ipsecgw.ike.config.ConnectionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConnectionFormTest {
    static Map<String, Object> valid() {
        Map<String, Object> form = new HashMap<>();
        form.put("name", "branch");
        form.put("remote-address", "192.0.2.9");
        form.put("remote-port", "");
        form.put("psk", "a-long-enough-pre-shared-key");
        form.put("local-ts", List.of("10.1.0.0/16"));
        form.put("remote-ts", List.of("10.9.0.0/16", " "));
        form.put("child-rekey-time", "30m");
        form.put("start-action", "initiate");
        form.put("per-cpu-sas", true);
        return form;
    }

    @Test
    void bindsLikeTheConfigurationFile() {
        ConnectionConfig connection = ConnectionForm.bind(valid());
        assertThat(connection.name()).isEqualTo("branch");
        assertThat(connection.remotePort()).isEqualTo(500);
        assertThat(connection.remoteTs()).containsExactly("10.9.0.0/16");
        assertThat(connection.childRekeyTime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(connection.startAction()).isEqualTo(ConnectionConfig.StartAction.INITIATE);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "remote-address | nowhere | remote-address",
                "remote-port | 70000 | remote-port",
                "remote-port | abc | remote-port",
                "psk | short | psk",
                "psk | 0xZZ | psk",
                "child-rekey-time | soon | child-rekey-time",
                "dpd-delay | -1s | dpd-delay",
                "start-action | maybe | start-action",
                "name | ' ' | name",
                "esp-proposals | rot13 | esp-proposals",
            })
    void badFieldIsNamed(String field, String value, String reported) {
        Map<String, Object> form = valid();
        form.put(field, value);
        assertThatThrownBy(() -> ConnectionForm.bind(form))
                .isInstanceOfSatisfying(ConnectionForm.FieldProblem.class, problem -> {
                    assertThat(problem.field()).isEqualTo(reported);
                    assertThat(problem.problem()).isNotBlank().doesNotContain("0xZZ");
                });
    }

    @Test
    void badListElementNamesTheList() {
        Map<String, Object> form = valid();
        form.put("local-ts", List.of("10.1.0.0/16", "10.2.0.0/99"));
        assertThatThrownBy(() -> ConnectionForm.bind(form))
                .isInstanceOfSatisfying(ConnectionForm.FieldProblem.class, problem -> assertThat(problem.field())
                        .isEqualTo("local-ts"));
    }
}
