package net.ipsecgw.core.interop;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The two mirrored sides of one tunnel between the lab's gateways: gateway A (black 10.201.0.1,
 * protecting 10.201.1.0/24) and gateway B (10.201.0.2, 10.201.2.0/24). With PSK the identities are
 * the black addresses; with certificates they are the FQDNs {@value #FQDN_A} and {@value #FQDN_B}.
 *
 * @param a gateway A's side
 * @param b gateway B's side
 */
public record LabTunnel(ConnectionSpec a, ConnectionSpec b) {
    /** The connection's name on both sides. */
    public static final String NAME = "lab";

    public static final String FQDN_A = "gw-a.interop.ipsecgw.test";
    public static final String FQDN_B = "gw-b.interop.ipsecgw.test";

    /** A PSK tunnel (a fresh random 32-byte key) with these proposals. */
    public static LabTunnel psk(String ikeProposal, String espProposal) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        ConnectionSpec.Psk psk = new ConnectionSpec.Psk("0x" + HexFormat.of().formatHex(key));
        return of(psk, psk, null, null, ikeProposal, espProposal);
    }

    /** A certificate tunnel: each gateway gets a certificate from {@code pki} for its FQDN. */
    public static LabTunnel certificates(TestPki pki, String ikeProposal, String espProposal) {
        TestPki.Issued certA = pki.issue(FQDN_A);
        TestPki.Issued certB = pki.issue(FQDN_B);
        return of(
                new ConnectionSpec.Certificates(pki.caCertificate(), certA.certificate(), certA.privateKey()),
                new ConnectionSpec.Certificates(pki.caCertificate(), certB.certificate(), certB.privateKey()),
                FQDN_A,
                FQDN_B,
                ikeProposal,
                espProposal);
    }

    private static LabTunnel of(
            ConnectionSpec.Auth authA,
            ConnectionSpec.Auth authB,
            String idA,
            String idB,
            String ikeProposal,
            String espProposal) {
        String a = idA == null ? InteropLab.BLACK_A : idA;
        String b = idB == null ? InteropLab.BLACK_B : idB;
        ConnectionSpec sideA = ConnectionSpec.builder(NAME, InteropLab.BLACK_A, InteropLab.BLACK_B, authA)
                .ids(a, b)
                .proposals(ikeProposal, espProposal)
                .trafficSelectors(List.of(InteropLab.RED_A_NET), List.of(InteropLab.RED_B_NET))
                .build();
        ConnectionSpec sideB = ConnectionSpec.builder(NAME, InteropLab.BLACK_B, InteropLab.BLACK_A, authB)
                .ids(b, a)
                .proposals(ikeProposal, espProposal)
                .trafficSelectors(List.of(InteropLab.RED_B_NET), List.of(InteropLab.RED_A_NET))
                .build();
        return new LabTunnel(sideA, sideB);
    }

    /** This tunnel with {@code change} applied to both sides (lifetimes, DPD, ...). */
    public LabTunnel both(UnaryOperator<ConnectionSpec.Builder> change) {
        return new LabTunnel(
                change.apply(a.toBuilder()).build(), change.apply(b.toBuilder()).build());
    }

    /** This tunnel with {@code change} applied to gateway A's side only. */
    public LabTunnel sideA(UnaryOperator<ConnectionSpec.Builder> change) {
        return new LabTunnel(change.apply(a.toBuilder()).build(), b);
    }

    /** This tunnel with {@code change} applied to gateway B's side only. */
    public LabTunnel sideB(UnaryOperator<ConnectionSpec.Builder> change) {
        return new LabTunnel(a, change.apply(b.toBuilder()).build());
    }
}
