package net.ipsecgw.core.interop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One side's view of one IKEv2 connection in an interop test, independent of the implementation
 * that runs it: {@link StrongSwanPeer} renders it as swanctl.conf, {@link OurGatewayProcess} as our
 * gateway's {@code gateway.connections[...]}. {@link LabTunnel} makes the two mirrored sides of a
 * tunnel between the lab's gateways. Immutable; change a copy with {@link #toBuilder()}.
 *
 * @param name the connection's name (also the CHILD_SA's name on strongSwan)
 * @param localAddress this side's black address
 * @param remoteAddress the peer's black address
 * @param localId this side's IKE identity (an address, FQDN or DN, in swanctl syntax)
 * @param remoteId the identity the peer must prove
 * @param auth PSK or certificates
 * @param ikeProposal the IKE proposal, swanctl syntax ({@code aes128gcm16-prfsha256-x25519})
 * @param espProposal the ESP proposal, swanctl syntax ({@code aes128gcm16})
 * @param localTs this side's traffic selectors
 * @param remoteTs the peer's traffic selectors
 * @param ikeRekeyTime rekey the IKE SA after this long (0: never)
 * @param ikeLifeTime hard IKE SA lifetime, longer than {@code ikeRekeyTime} (0: strongSwan's default)
 * @param childRekeyTime rekey each CHILD_SA after this long (0: never)
 * @param childLifeTime hard CHILD_SA lifetime, longer than {@code childRekeyTime} (0: the default)
 * @param dpdDelay liveness check after this long without traffic from the peer (0: off)
 * @param dpdAction what follows a dead peer
 * @param startAction what happens when the configuration is loaded
 * @param encap force UDP encapsulation (strongSwan's user-space ESP needs it; our gateway only does it)
 * @param fragmentation IKE fragmentation (RFC 7383)
 * @param mobike MOBIKE (RFC 4555); off by default, our gateway does not implement it
 */
public record ConnectionSpec(
        String name,
        String localAddress,
        String remoteAddress,
        String localId,
        String remoteId,
        Auth auth,
        String ikeProposal,
        String espProposal,
        List<String> localTs,
        List<String> remoteTs,
        Duration ikeRekeyTime,
        Duration ikeLifeTime,
        Duration childRekeyTime,
        Duration childLifeTime,
        Duration dpdDelay,
        DpdAction dpdAction,
        StartAction startAction,
        boolean encap,
        boolean fragmentation,
        boolean mobike) {

    /** How both sides authenticate. */
    public sealed interface Auth {}

    /**
     * A pre-shared key.
     *
     * @param secret the key as {@code 0x<hex>}
     */
    public record Psk(String secret) implements Auth {
        @Override
        public String toString() {
            return "Psk[(redacted)]";
        }
    }

    /**
     * Certificates (RFC 7427 signatures).
     *
     * @param caCertificate the trust anchor of the peer's certificate (PEM)
     * @param certificate this side's certificate (PEM)
     * @param privateKey this side's private key (PEM, PKCS#8)
     */
    public record Certificates(Path caCertificate, Path certificate, Path privateKey) implements Auth {}

    /** What follows when DPD finds the peer dead (swanctl's dpd_action). */
    public enum DpdAction {
        NONE,
        CLEAR,
        RESTART
    }

    /** What happens when the configuration is loaded (swanctl's start_action). */
    public enum StartAction {
        /** Wait for the peer. */
        NONE,
        /** Initiate at once. */
        START,
        /** Install a trap policy; initiate on the first matching packet. */
        TRAP
    }

    /** Copies the lists; checks what must be given. */
    public ConnectionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(auth, "auth");
        localId = Objects.requireNonNullElse(localId, localAddress);
        remoteId = Objects.requireNonNullElse(remoteId, remoteAddress);
        localTs = List.copyOf(localTs);
        remoteTs = List.copyOf(remoteTs);
        Objects.requireNonNull(dpdAction, "dpdAction");
        Objects.requireNonNull(startAction, "startAction");
    }

    /** A builder with this spec's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder with test defaults: long lifetimes, DPD off, start action none, encap and fragmentation on. */
    public static Builder builder(String name, String localAddress, String remoteAddress, Auth auth) {
        return new Builder(new ConnectionSpec(
                name,
                localAddress,
                remoteAddress,
                null,
                null,
                auth,
                "aes128gcm16-prfsha256-x25519",
                "aes128gcm16",
                List.of(),
                List.of(),
                Duration.ofHours(4),
                Duration.ZERO,
                Duration.ofHours(1),
                Duration.ZERO,
                Duration.ZERO,
                DpdAction.NONE,
                StartAction.NONE,
                true,
                true,
                false));
    }

    /** Mutable copy of a {@link ConnectionSpec}. */
    public static final class Builder {
        private String name;
        private String localAddress;
        private String remoteAddress;
        private String localId;
        private String remoteId;
        private Auth auth;
        private String ikeProposal;
        private String espProposal;
        private List<String> localTs;
        private List<String> remoteTs;
        private Duration ikeRekeyTime;
        private Duration ikeLifeTime;
        private Duration childRekeyTime;
        private Duration childLifeTime;
        private Duration dpdDelay;
        private DpdAction dpdAction;
        private StartAction startAction;
        private boolean encap;
        private boolean fragmentation;
        private boolean mobike;

        private Builder(ConnectionSpec s) {
            name = s.name;
            localAddress = s.localAddress;
            remoteAddress = s.remoteAddress;
            localId = s.localId;
            remoteId = s.remoteId;
            auth = s.auth;
            ikeProposal = s.ikeProposal;
            espProposal = s.espProposal;
            localTs = s.localTs;
            remoteTs = s.remoteTs;
            ikeRekeyTime = s.ikeRekeyTime;
            ikeLifeTime = s.ikeLifeTime;
            childRekeyTime = s.childRekeyTime;
            childLifeTime = s.childLifeTime;
            dpdDelay = s.dpdDelay;
            dpdAction = s.dpdAction;
            startAction = s.startAction;
            encap = s.encap;
            fragmentation = s.fragmentation;
            mobike = s.mobike;
        }

        /** This side's and the peer's black addresses (e.g. a private address behind a NAT). */
        public Builder addresses(String local, String remote) {
            localAddress = local;
            remoteAddress = remote;
            return this;
        }

        public Builder ids(String local, String remote) {
            localId = local;
            remoteId = remote;
            return this;
        }

        public Builder auth(Auth value) {
            auth = value;
            return this;
        }

        public Builder proposals(String ike, String esp) {
            ikeProposal = ike;
            espProposal = esp;
            return this;
        }

        public Builder trafficSelectors(List<String> local, List<String> remote) {
            localTs = local;
            remoteTs = remote;
            return this;
        }

        /** IKE SA rekey and hard lifetime (0 for strongSwan's default over-time). */
        public Builder ikeLifetimes(Duration rekey, Duration life) {
            ikeRekeyTime = rekey;
            ikeLifeTime = life;
            return this;
        }

        /** CHILD_SA rekey and hard lifetime (0 for the default). */
        public Builder childLifetimes(Duration rekey, Duration life) {
            childRekeyTime = rekey;
            childLifeTime = life;
            return this;
        }

        public Builder dpd(Duration delay, DpdAction action) {
            dpdDelay = delay;
            dpdAction = action;
            return this;
        }

        public Builder startAction(StartAction value) {
            startAction = value;
            return this;
        }

        public Builder encap(boolean value) {
            encap = value;
            return this;
        }

        public Builder fragmentation(boolean value) {
            fragmentation = value;
            return this;
        }

        public Builder mobike(boolean value) {
            mobike = value;
            return this;
        }

        public ConnectionSpec build() {
            return new ConnectionSpec(
                    name,
                    localAddress,
                    remoteAddress,
                    localId,
                    remoteId,
                    auth,
                    ikeProposal,
                    espProposal,
                    localTs,
                    remoteTs,
                    ikeRekeyTime,
                    ikeLifeTime,
                    childRekeyTime,
                    childLifeTime,
                    dpdDelay,
                    dpdAction,
                    startAction,
                    encap,
                    fragmentation,
                    mobike);
        }
    }
}
