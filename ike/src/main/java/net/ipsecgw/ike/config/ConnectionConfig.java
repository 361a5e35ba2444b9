package net.ipsecgw.ike.config;

import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import net.ipsecgw.ike.dataplane.TsRange;

/**
 * One IKEv2 connection to a peer gateway, the way an operator thinks of it (compare swanctl.conf's
 * {@code connections}): where the peer is, who each side is and how it proves it, what to propose,
 * which subnets the tunnel joins, and how the tunnel is kept up. Plain immutable record; the gateway's
 * loader and the appliance bind it from YAML with Spring Boot's binder (keys in kebab case, durations
 * with units). Each bad value stops start-up with a {@link ConfigValueException} naming its key.
 *
 * @param name unique name
 * @param remoteAddress the peer's address, or {@code %any} to only answer whoever authenticates as
 *     {@code remoteId}
 * @param remotePort the peer's IKE port (default 500; NAT-T moves to 4500 as RFC 7296 §2.23 says)
 * @param localId this side's identity (swanctl syntax: an IP address, an FQDN, user@domain, or a DN);
 *     default: the gateway's black address
 * @param remoteId the identity the peer must authenticate as; default: {@code remoteAddress}, or
 *     {@code %any}
 * @param auth how both sides authenticate (default PSK)
 * @param psk the pre-shared key, for {@link AuthMethod#PSK}
 * @param certificate this side's certificate file (PEM), for {@link AuthMethod#PUBKEY}
 * @param privateKey this side's private key file (PEM, PKCS#8), for {@link AuthMethod#PUBKEY}
 * @param caCertificates trust anchors for the peer's certificate (PEM files), for {@link AuthMethod#PUBKEY}
 * @param ikeProposals IKE SA proposals in preference order (default {@code aes128gcm16-prfsha256-x25519})
 * @param espProposals Child SA proposals in preference order (default {@code aes128gcm16}, ESN or not)
 * @param localTs this side's traffic selectors (see {@link TrafficSelectors})
 * @param remoteTs the peer's traffic selectors
 * @param ikeRekeyTime rekey the IKE SA this long after it was established (default 4h; 0 never)
 * @param childRekeyTime rekey each Child SA this long after it was installed (default 1h; 0 never)
 * @param childLifeTime hard limit of each Child SA (default 110% of {@code childRekeyTime})
 * @param childRekeyBytes rekey after this many bytes (default 0: no limit)
 * @param childRekeyPackets rekey after this many packets (default 0: no limit)
 * @param dpdDelay check the peer's liveness after this long without traffic from it (default 30s; 0 off)
 * @param dpdAction what to do when the peer is found dead (default {@link DpdAction#CLEAR})
 * @param perCpuSas negotiate one Child SA per lane (RFC 9611), default true
 * @param perCpuMax most per-CPU Child SAs accepted from the peer per tunnel (default twice the lanes)
 * @param multiport send each per-CPU SA from its lane's own UDP source port, when the peer agrees
 *     (default true)
 * @param startAction what to do at start-up (default {@link StartAction#NONE}: wait for the peer)
 * @param replayWindow inbound anti-replay window in packets (default 1024; 0 off)
 */
public record ConnectionConfig(
        String name,
        String remoteAddress,
        Integer remotePort,
        String localId,
        String remoteId,
        AuthMethod auth,
        Secret psk,
        String certificate,
        String privateKey,
        List<String> caCertificates,
        List<String> ikeProposals,
        List<String> espProposals,
        List<String> localTs,
        List<String> remoteTs,
        Duration ikeRekeyTime,
        Duration childRekeyTime,
        Duration childLifeTime,
        Long childRekeyBytes,
        Long childRekeyPackets,
        Duration dpdDelay,
        DpdAction dpdAction,
        Boolean perCpuSas,
        Integer perCpuMax,
        Boolean multiport,
        StartAction startAction,
        Integer replayWindow) {

    /** Any peer address (responder only). */
    public static final String ANY = "%any";

    /** How the two sides prove who they are. */
    public enum AuthMethod {
        /** A pre-shared key (RFC 7296 §2.15). */
        PSK,
        /** X.509 certificates and RFC 7427 digital signatures. */
        PUBKEY
    }

    /** What follows when DPD finds the peer dead. */
    public enum DpdAction {
        /** Delete the IKE SA and its Child SAs. */
        CLEAR,
        /** Delete them, then initiate the connection again. */
        RESTART
    }

    /** What the gateway does with the connection at start-up. */
    public enum StartAction {
        /** Nothing: wait for the peer to initiate. */
        NONE,
        /** Initiate the IKE SA and its Child SAs at once. */
        INITIATE,
        /** Install the policy and initiate on the first packet that matches it. */
        TRAP
    }

    /**
     * Fills in defaults and checks every value.
     *
     * @throws ConfigValueException naming the key that is missing or wrong
     */
    public ConnectionConfig {
        if (name == null || name.isBlank()) {
            throw new ConfigValueException("name", "must be given: every connection needs a unique name");
        }
        String where = " (connection '" + name + "')";
        remoteAddress = Objects.requireNonNullElse(remoteAddress, ANY).strip();
        if (!remoteAddress.equals(ANY) && !isIp(remoteAddress)) {
            throw new ConfigValueException(
                    "remote-address", "'" + remoteAddress + "' is neither an IP address nor %any" + where);
        }
        remotePort = Objects.requireNonNullElse(remotePort, 500);
        checkRange("remote-port", remotePort, 1, 65535, where);
        remoteId = remoteId == null || remoteId.isBlank() ? remoteAddress : remoteId.strip();
        auth = Objects.requireNonNullElse(auth, AuthMethod.PSK);
        caCertificates = List.copyOf(Objects.requireNonNullElse(caCertificates, List.of()));
        checkCredentials(auth, psk, certificate, privateKey, caCertificates, where);
        ikeProposals = orDefault(ikeProposals, "aes128gcm16-prfsha256-x25519");
        espProposals = orDefault(espProposals, "aes128gcm16");
        checkEach("ike-proposals", ikeProposals, Proposals::parseIke, where);
        checkEach("esp-proposals", espProposals, Proposals::parseEsp, where);
        localTs = List.copyOf(Objects.requireNonNullElse(localTs, List.of()));
        remoteTs = List.copyOf(Objects.requireNonNullElse(remoteTs, List.of()));
        requireNonEmpty("local-ts", localTs, where);
        requireNonEmpty("remote-ts", remoteTs, where);
        checkEach("local-ts", localTs, TrafficSelectors::parse, where);
        checkEach("remote-ts", remoteTs, TrafficSelectors::parse, where);
        ikeRekeyTime = nonNegative("ike-rekey-time", ikeRekeyTime, Duration.ofHours(4), where);
        childRekeyTime = nonNegative("child-rekey-time", childRekeyTime, Duration.ofHours(1), where);
        childLifeTime =
                nonNegative("child-life-time", childLifeTime, childRekeyTime.plus(childRekeyTime.dividedBy(10)), where);
        if (!childLifeTime.isZero() && childLifeTime.compareTo(childRekeyTime) <= 0) {
            throw new ConfigValueException(
                    "child-life-time", "must be longer than child-rekey-time (" + childRekeyTime + ")" + where);
        }
        childRekeyBytes = Objects.requireNonNullElse(childRekeyBytes, 0L);
        childRekeyPackets = Objects.requireNonNullElse(childRekeyPackets, 0L);
        checkRange("child-rekey-bytes", childRekeyBytes, 0, Long.MAX_VALUE, where);
        checkRange("child-rekey-packets", childRekeyPackets, 0, Long.MAX_VALUE, where);
        dpdDelay = nonNegative("dpd-delay", dpdDelay, Duration.ofSeconds(30), where);
        dpdAction = Objects.requireNonNullElse(dpdAction, DpdAction.CLEAR);
        perCpuSas = Objects.requireNonNullElse(perCpuSas, true);
        if (perCpuMax != null) {
            checkRange("per-cpu-max", perCpuMax, 1, 4096, where);
        }
        multiport = Objects.requireNonNullElse(multiport, true);
        startAction = Objects.requireNonNullElse(startAction, StartAction.NONE);
        if (startAction != StartAction.NONE && remoteAddress.equals(ANY)) {
            throw new ConfigValueException(
                    "start-action",
                    "is " + startAction + ", but remote-address is %any: there is no peer to initiate to" + where);
        }
        replayWindow = Objects.requireNonNullElse(replayWindow, 1024);
        checkRange("replay-window", replayWindow, 0, 65536, where);
    }

    private static boolean isIp(String address) {
        return NetUtil.isValidIpV4Address(address) || NetUtil.isValidIpV6Address(address);
    }

    private static void checkCredentials(
            AuthMethod auth,
            Secret psk,
            String certificate,
            String privateKey,
            List<String> caCertificates,
            String where) {
        if (auth == AuthMethod.PSK) {
            if (psk == null) {
                throw new ConfigValueException("psk", "must be given when auth is PSK" + where);
            }
            if (psk.length() < 16) {
                throw new ConfigValueException(
                        "psk", "has " + psk.length() + " bytes; use at least 16 (RFC 7296 §2.15)" + where);
            }
            return;
        }
        if (certificate == null || certificate.isBlank()) {
            throw new ConfigValueException("certificate", "must be given when auth is PUBKEY" + where);
        }
        if (privateKey == null || privateKey.isBlank()) {
            throw new ConfigValueException("private-key", "must be given when auth is PUBKEY" + where);
        }
        if (caCertificates.isEmpty()) {
            throw new ConfigValueException(
                    "ca-certificates", "must list the peer's trust anchors when auth is PUBKEY" + where);
        }
    }

    private static List<String> orDefault(List<String> values, String fallback) {
        return values == null || values.isEmpty() ? List.of(fallback) : List.copyOf(values);
    }

    private static void requireNonEmpty(String key, List<String> values, String where) {
        if (values.isEmpty()) {
            throw new ConfigValueException(key, "must list at least one traffic selector" + where);
        }
    }

    private static void checkEach(String key, List<String> values, Function<String, ?> parser, String where) {
        for (int i = 0; i < values.size(); i++) {
            try {
                parser.apply(values.get(i));
            } catch (ConfigValueException e) {
                throw new ConfigValueException(key + "[" + i + "]", e.problem() + where);
            }
        }
    }

    private static Duration nonNegative(String key, Duration value, Duration fallback, String where) {
        Duration result = Objects.requireNonNullElse(value, fallback);
        if (result.isNegative()) {
            throw new ConfigValueException(key, "must not be negative, got " + result + where);
        }
        return result;
    }

    private static void checkRange(String key, long value, long min, long max, String where) {
        if (value < min || value > max) {
            throw new ConfigValueException(key, "must be " + min + "-" + max + ", got " + value + where);
        }
    }

    /** The IKE proposals, parsed. */
    public List<Proposals.Ike> ikeProposalList() {
        return ikeProposals.stream().map(Proposals::parseIke).toList();
    }

    /** The ESP proposals, parsed. */
    public List<Proposals.Esp> espProposalList() {
        return espProposals.stream().map(Proposals::parseEsp).toList();
    }

    /** This side's traffic selectors, parsed. */
    public List<TsRange> localSelectors() {
        return localTs.stream().map(TrafficSelectors::parse).toList();
    }

    /** The peer's traffic selectors, parsed. */
    public List<TsRange> remoteSelectors() {
        return remoteTs.stream().map(TrafficSelectors::parse).toList();
    }

    /** True when this side may initiate (the peer's address is known). */
    public boolean canInitiate() {
        return !remoteAddress.equals(ANY);
    }

    /**
     * A builder for code that sets a few of the many components (tests, the console's forms); every
     * component left unset takes its default, and {@link Builder#build()} checks the result like the
     * constructor does.
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Collects components by name; not thread-safe. */
    public static final class Builder {
        private final String name;
        private String remoteAddress;
        private Integer remotePort;
        private String localId;
        private String remoteId;
        private AuthMethod auth;
        private Secret psk;
        private String certificate;
        private String privateKey;
        private List<String> caCertificates;
        private List<String> ikeProposals;
        private List<String> espProposals;
        private List<String> localTs;
        private List<String> remoteTs;
        private Duration ikeRekeyTime;
        private Duration childRekeyTime;
        private Duration childLifeTime;
        private Long childRekeyBytes;
        private Long childRekeyPackets;
        private Duration dpdDelay;
        private DpdAction dpdAction;
        private Boolean perCpuSas;
        private Integer perCpuMax;
        private Boolean multiport;
        private StartAction startAction;
        private Integer replayWindow;

        private Builder(String name) {
            this.name = name;
        }

        /** Sets {@code remoteAddress}. */
        public Builder remoteAddress(String value) {
            this.remoteAddress = value;
            return this;
        }

        /** Sets {@code remotePort}. */
        public Builder remotePort(Integer value) {
            this.remotePort = value;
            return this;
        }

        /** Sets {@code localId}. */
        public Builder localId(String value) {
            this.localId = value;
            return this;
        }

        /** Sets {@code remoteId}. */
        public Builder remoteId(String value) {
            this.remoteId = value;
            return this;
        }

        /** Sets {@code auth}. */
        public Builder auth(AuthMethod value) {
            this.auth = value;
            return this;
        }

        /** Sets {@code psk}. */
        public Builder psk(Secret value) {
            this.psk = value;
            return this;
        }

        /** Sets {@code certificate}. */
        public Builder certificate(String value) {
            this.certificate = value;
            return this;
        }

        /** Sets {@code privateKey}. */
        public Builder privateKey(String value) {
            this.privateKey = value;
            return this;
        }

        /** Sets {@code caCertificates}. */
        public Builder caCertificates(List<String> value) {
            this.caCertificates = value;
            return this;
        }

        /** Sets {@code ikeProposals}. */
        public Builder ikeProposals(List<String> value) {
            this.ikeProposals = value;
            return this;
        }

        /** Sets {@code espProposals}. */
        public Builder espProposals(List<String> value) {
            this.espProposals = value;
            return this;
        }

        /** Sets {@code localTs}. */
        public Builder localTs(List<String> value) {
            this.localTs = value;
            return this;
        }

        /** Sets {@code remoteTs}. */
        public Builder remoteTs(List<String> value) {
            this.remoteTs = value;
            return this;
        }

        /** Sets {@code ikeRekeyTime}. */
        public Builder ikeRekeyTime(Duration value) {
            this.ikeRekeyTime = value;
            return this;
        }

        /** Sets {@code childRekeyTime}. */
        public Builder childRekeyTime(Duration value) {
            this.childRekeyTime = value;
            return this;
        }

        /** Sets {@code childLifeTime}. */
        public Builder childLifeTime(Duration value) {
            this.childLifeTime = value;
            return this;
        }

        /** Sets {@code childRekeyBytes}. */
        public Builder childRekeyBytes(Long value) {
            this.childRekeyBytes = value;
            return this;
        }

        /** Sets {@code childRekeyPackets}. */
        public Builder childRekeyPackets(Long value) {
            this.childRekeyPackets = value;
            return this;
        }

        /** Sets {@code dpdDelay}. */
        public Builder dpdDelay(Duration value) {
            this.dpdDelay = value;
            return this;
        }

        /** Sets {@code dpdAction}. */
        public Builder dpdAction(DpdAction value) {
            this.dpdAction = value;
            return this;
        }

        /** Sets {@code perCpuSas}. */
        public Builder perCpuSas(Boolean value) {
            this.perCpuSas = value;
            return this;
        }

        /** Sets {@code perCpuMax}. */
        public Builder perCpuMax(Integer value) {
            this.perCpuMax = value;
            return this;
        }

        /** Sets {@code multiport}. */
        public Builder multiport(Boolean value) {
            this.multiport = value;
            return this;
        }

        /** Sets {@code startAction}. */
        public Builder startAction(StartAction value) {
            this.startAction = value;
            return this;
        }

        /** Sets {@code replayWindow}. */
        public Builder replayWindow(Integer value) {
            this.replayWindow = value;
            return this;
        }

        /** Traffic selectors of both sides. */
        public Builder ts(List<String> local, List<String> remote) {
            return localTs(local).remoteTs(remote);
        }

        /**
         * The connection.
         *
         * @throws ConfigValueException naming the component that is missing or wrong
         */
        public ConnectionConfig build() {
            return new ConnectionConfig(
                    name,
                    remoteAddress,
                    remotePort,
                    localId,
                    remoteId,
                    auth,
                    psk,
                    certificate,
                    privateKey,
                    caCertificates,
                    ikeProposals,
                    espProposals,
                    localTs,
                    remoteTs,
                    ikeRekeyTime,
                    childRekeyTime,
                    childLifeTime,
                    childRekeyBytes,
                    childRekeyPackets,
                    dpdDelay,
                    dpdAction,
                    perCpuSas,
                    perCpuMax,
                    multiport,
                    startAction,
                    replayWindow);
        }
    }
}
