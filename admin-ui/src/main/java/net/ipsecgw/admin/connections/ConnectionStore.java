package net.ipsecgw.admin.connections;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.ipsecgw.admin.system.AtomicFiles;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.ike.config.ConfigValueException;
import net.ipsecgw.ike.config.ConnectionConfig;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The IKE connections the console edits: held in memory, saved atomically to the connections file
 * (see {@link AtomicFiles}) on every change, read back at the next start through the environment
 * ({@link ConnectionsFileEnvironmentPostProcessor}). Changes are serialized; reads are lock-free.
 */
public final class ConnectionStore {
    private static final String HEADER = "# IKE connections, saved by the appliance's console. Holds secrets: keep it"
            + " readable by the gateway only.\n";

    private final Path file;
    private final GatewayConfig config;
    private volatile List<ConnectionConfig> connections;

    /** Starts with the connections of {@code config}; saves to {@code file}. */
    public ConnectionStore(Path file, GatewayConfig config) {
        this.file = file;
        this.config = config;
        this.connections = config.connections();
    }

    /** Every connection, in order. */
    public List<ConnectionConfig> list() {
        return connections;
    }

    /** The connection named {@code name}. */
    public Optional<ConnectionConfig> find(String name) {
        return connections.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Adds {@code connection} (its name must be new) and saves; returns the new list. */
    public synchronized List<ConnectionConfig> add(ConnectionConfig connection) {
        List<ConnectionConfig> next = new ArrayList<>(connections);
        next.add(connection);
        return save(next);
    }

    /** Replaces the connection named {@code name} and saves; empty when there is none. */
    public synchronized Optional<List<ConnectionConfig>> replace(String name, ConnectionConfig connection) {
        int index = indexOf(name);
        if (index < 0) {
            return Optional.empty();
        }
        List<ConnectionConfig> next = new ArrayList<>(connections);
        next.set(index, connection);
        return Optional.of(save(next));
    }

    /** Removes the connection named {@code name} and saves; empty when there is none. */
    public synchronized Optional<List<ConnectionConfig>> remove(String name) {
        int index = indexOf(name);
        if (index < 0) {
            return Optional.empty();
        }
        List<ConnectionConfig> next = new ArrayList<>(connections);
        next.remove(index);
        return Optional.of(save(next));
    }

    private int indexOf(String name) {
        for (int i = 0; i < connections.size(); i++) {
            if (connections.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Checks the whole gateway with the new list (unique names across tunnels and connections), writes
     * the file, and only then makes the list current.
     *
     * @throws ConfigValueException from {@link GatewayConfig}'s cross-checks
     */
    private List<ConnectionConfig> save(List<ConnectionConfig> next) {
        new GatewayConfig(config.lanes(), config.black(), config.red(), config.tunnels(), config.ike(), next);
        try {
            AtomicFiles.replace(file, out -> write(next, new OutputStreamWriter(out, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the connections to " + file, e);
        }
        connections = List.copyOf(next);
        return connections;
    }

    private static void write(List<ConnectionConfig> connections, Writer writer) throws IOException {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        writer.write(HEADER);
        new Yaml(options).dump(ConnectionYaml.file(connections), writer);
        writer.flush();
    }
}
