package net.ipsecgw.admin.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.core.config.GatewayConfigLoader;
import net.ipsecgw.ike.config.ConfigValueException;
import net.ipsecgw.ike.config.ConnectionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionStoreTest {
    @TempDir
    Path dir;

    private static GatewayConfig empty() {
        return new GatewayConfig(null, null, null, null, null, null);
    }

    private static ConnectionConfig connection(String name) {
        java.util.Map<String, Object> form = ConnectionFormTest.valid();
        form.put("name", name);
        return ConnectionForm.bind(form);
    }

    @Test
    void savedFileReadsBackIntoTheSameConnectionsWithTheirSecrets() {
        Path file = dir.resolve("connections.yml");
        ConnectionStore store = new ConnectionStore(file, empty());
        store.add(connection("one"));
        store.add(connection("two"));
        List<ConnectionConfig> loaded = GatewayConfigLoader.load(file).connections();
        assertThat(loaded).isEqualTo(store.list());
        assertThat(loaded.getFirst().psk()).isEqualTo(connection("one").psk());
    }

    @Test
    void replaceAndRemoveSaveTheFile() {
        Path file = dir.resolve("connections.yml");
        ConnectionStore store = new ConnectionStore(file, empty());
        store.add(connection("one"));
        store.add(connection("two"));
        assertThat(store.replace("one", connection("uno"))).isPresent();
        assertThat(store.remove("two")).isPresent();
        assertThat(store.remove("missing")).isEmpty();
        assertThat(GatewayConfigLoader.load(file).connections())
                .extracting(ConnectionConfig::name)
                .containsExactly("uno");
    }

    @Test
    void rejectedChangeLeavesTheFileAndTheListAlone() throws IOException {
        Path file = dir.resolve("connections.yml");
        ConnectionStore store = new ConnectionStore(file, empty());
        store.add(connection("one"));
        String before = Files.readString(file);
        assertThatThrownBy(() -> store.add(connection("one"))).isInstanceOf(ConfigValueException.class);
        assertThat(file).hasContent(before);
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void unwritableDirectoryFailsWithoutChangingTheList() throws IOException {
        Path blocked = dir.resolve("blocked");
        Files.writeString(blocked, "a file where a directory should be");
        ConnectionStore store = new ConnectionStore(blocked.resolve("connections.yml"), empty());
        assertThatThrownBy(() -> store.add(connection("one"))).hasMessageContaining("cannot save");
        assertThat(store.list()).isEmpty();
    }
}
