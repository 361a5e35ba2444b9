package net.ipsecgw.admin.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import net.ipsecgw.core.config.GatewayConfig;
import net.ipsecgw.ike.config.ConnectionConfig;
import net.ipsecgw.ike.config.Secret;
import org.junit.jupiter.api.Test;

class GatewayServiceTest {
    private final IkeEventLog events = new IkeEventLog(10);

    private static ConnectionConfig connection(String name) {
        return ConnectionConfig.builder(name)
                .remoteAddress("192.0.2.2")
                .psk(Secret.valueOf("0123456789abcdef0123"))
                .localTs(List.of("10.1.0.0/16"))
                .remoteTs(List.of("10.2.0.0/16"))
                .build();
    }

    private static GatewayConfig config() {
        return new GatewayConfig(null, null, null, null, null, List.of(connection("site-b")));
    }

    @Test
    void unavailableDataPathLeavesTheConsoleRunningAndSaysWhy() {
        GatewayService service = new GatewayService(
                config(),
                "DEMO",
                c -> {
                    throw new DataPathUnavailableException("waits for the generator");
                },
                events);
        service.start();
        assertThat(service.status()).isEqualTo(new DataPathStatus(false, "DEMO", false, "waits for the generator"));
        assertThat(service.lanes()).isEmpty();
        assertThat(service.tunnels()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("site-b");
            assertThat(t.state()).isEqualTo(TunnelState.UNKNOWN);
        });
        assertThat(events.recent(5)).first().satisfies(e -> assertThat(e.message())
                .contains("no data path"));
    }

    @Test
    void actionsWithoutIkeFailAndSaySoNeverSucceed() {
        GatewayService service = new GatewayService(
                config(),
                "NONE",
                c -> {
                    throw new DataPathUnavailableException("none");
                },
                events);
        service.start();
        assertThatThrownBy(
                        () -> service.initiate("site-b").toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(IkeUnavailableException.class)
                .hasMessageContaining("no IKE control plane runs");
        assertThat(events.recent(1).getFirst().success()).isFalse();
        assertThatThrownBy(() -> service.rekey("nobody").toCompletableFuture().join())
                .cause()
                .isInstanceOf(java.util.NoSuchElementException.class);
    }

    @Test
    void ikeControlPlaneSuppliesStatesChildSasActionsAndEvents() {
        RecordingIke ike = new RecordingIke();
        RunningGateways running = new RunningGateways() {
            @Override
            public List<Member> gateways() {
                return List.of();
            }

            @Override
            public IkeControl ike() {
                return ike;
            }

            @Override
            public String describe() {
                return "test";
            }

            @Override
            public void close() {
                ike.closed = true;
            }
        };
        GatewayService service = new GatewayService(config(), "TEST", c -> running, events);
        service.start();
        assertThat(service.status().running()).isTrue();
        assertThat(service.status().ike()).isTrue();
        TunnelView tunnel = service.tunnels().getFirst();
        assertThat(tunnel.state()).isEqualTo(TunnelState.ESTABLISHED);
        assertThat(tunnel.ikeSpis()).isEqualTo("0000000000000001_0000000000000002");
        assertThat(tunnel.childSas()).hasSize(2);

        service.terminate("site-b").toCompletableFuture().join();
        assertThat(ike.calls).containsExactly("terminate site-b");
        ike.listener.accept(new IkeEvent(
                Instant.now(), "a", "site-b", IkeEvent.Kind.EXCHANGE, "INFORMATIONAL", true, Duration.ZERO, "delete"));
        assertThat(events.recent(1).getFirst().exchange()).isEqualTo("INFORMATIONAL");

        service.stop();
        assertThat(ike.closed).isTrue();
        assertThat(service.isRunning()).isFalse();
    }

    private static final class RecordingIke implements IkeControl {
        final List<String> calls = new ArrayList<>();
        Consumer<IkeEvent> listener;
        boolean closed;

        @Override
        public boolean available() {
            return true;
        }

        @Override
        public List<IkeSaView> ikeSas() {
            ChildSaView lane0 = new ChildSaView(0, 0x10, 0x20, 40000, 1, 2, 3, 4, Instant.now());
            ChildSaView lane1 = new ChildSaView(1, 0x11, 0x21, 40001, 1, 2, 3, 4, Instant.now());
            return List.of(new IkeSaView(
                    "a",
                    "site-b",
                    TunnelState.ESTABLISHED,
                    1,
                    2,
                    new InetSocketAddress("127.0.0.1", 500),
                    new InetSocketAddress("127.0.0.2", 500),
                    Instant.now(),
                    null,
                    List.of(lane0, lane1)));
        }

        @Override
        public CompletionStage<Void> initiate(String connection) {
            return record("initiate " + connection);
        }

        @Override
        public CompletionStage<Void> terminate(String connection) {
            return record("terminate " + connection);
        }

        @Override
        public CompletionStage<Void> rekey(String connection) {
            return record("rekey " + connection);
        }

        @Override
        public CompletionStage<Void> reload(List<ConnectionConfig> connections) {
            return record("reload " + connections.size());
        }

        @Override
        public AutoCloseable subscribe(Consumer<IkeEvent> listener) {
            this.listener = listener;
            return () -> this.listener = null;
        }

        private CompletionStage<Void> record(String call) {
            calls.add(call);
            return CompletableFuture.completedFuture(null);
        }
    }
}
