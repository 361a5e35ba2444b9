package net.ipsecgw.ike.sa;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import net.ipsecgw.ike.crypto.AuthCalculator;
import net.ipsecgw.ike.crypto.DigitalSignatureAuth;
import net.ipsecgw.ike.crypto.IkeIdentity;
import net.ipsecgw.ike.crypto.SignatureScheme;
import net.ipsecgw.ike.crypto.pki.CertificateRejectedException;
import net.ipsecgw.ike.message.AuthMethod;
import net.ipsecgw.ike.message.AuthPayload;
import net.ipsecgw.ike.message.CertPayload;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.IdPayload;
import net.ipsecgw.ike.message.IdType;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;

/**
 * IKE_AUTH's authentication (RFC 7296 §§1.2, 2.15): identities, certificates and the AUTH payload,
 * with a pre-shared key or an RFC 7427 digital signature. A peer that fails to prove the configured
 * identity gets AUTHENTICATION_FAILED and nothing is installed. The initiator's request carries
 * INITIAL_CONTACT when no other IKE SA of the connection exists (after a restart, say); either side that
 * receives it from the authenticated peer drops its older IKE SAs with that peer at once.
 *
 * <pre>
 *   HDR, SK {IDi, [CERT,] [IDr,] AUTH, ...}  --&gt;
 *                                      &lt;--  HDR, SK {IDr, [CERT,] AUTH, ...}
 *   AUTH = prf(prf(PSK, "Key Pad for IKEv2"), SignedOctets)  or  signature(SignedOctets)
 *   SignedOctets(i) = IKE_SA_INIT request | Nr | prf(SK_pi, IDi')
 *   SignedOctets(r) = IKE_SA_INIT response | Ni | prf(SK_pr, IDr')
 * </pre>
 */
final class IkeAuthTask implements Task {
    /** X.509 Certificate - Signature (RFC 7296 §3.6). */
    static final int CERT_X509_SIGNATURE = 4;

    private final IkeSa sa;

    IkeAuthTask(IkeSa sa) {
        this.sa = sa;
    }

    @Override
    public ExchangeType exchangeType() {
        return ExchangeType.IKE_AUTH;
    }

    @Override
    public void buildRequest(Exchange exchange) {
        IdPayload id = idPayload(true);
        exchange.add(id);
        addCertificates(exchange);
        if (!sa.credentials().usesPsk()) {
            exchange.add(sa.credentials().certificateRequest());
        }
        IkeIdentity remote = sa.credentials().remoteId();
        if (!remote.equals(IkeIdentity.ANY)) {
            exchange.add(new IdPayload(false, IdType.valueOf(remote.idType()), remote.data()));
        }
        byte[] octets = AuthCalculator.signedOctets(
                sa.initRequest(), sa.responderNonce(), sa.prf(), sa.keys().skPi(), id.bodyBytes());
        exchange.add(authPayload(octets));
        if (sa.daemon().firstContact(sa)) {
            exchange.add(NotifyPayload.of(NotifyType.INITIAL_CONTACT));
        }
    }

    @Override
    public Status processResponse(Exchange exchange) {
        if (exchange.in().first(AuthPayload.class).isEmpty()
                && exchange.receivedError().isPresent()) {
            // An error beside AUTH concerns the first Child SA only (RFC 7296 §1.2); without AUTH it ends
            // the IKE SA.
            sa.context()
                    .events()
                    .log(
                            sa,
                            "IKE_AUTH refused: "
                                    + exchange.receivedError().get().notifyType());
            return Status.FAILED;
        }
        String problem = verifyPeer(exchange, false);
        if (problem != null) {
            sa.context().events().log(sa, "the responder's authentication failed: " + problem);
            return Status.FAILED;
        }
        initialContact(exchange);
        sa.established();
        return Status.DONE;
    }

    @Override
    public Status processRequest(Exchange exchange) {
        String problem = verifyPeer(exchange, true);
        if (problem != null) {
            exchange.fail(NotifyType.AUTHENTICATION_FAILED, problem);
            sa.context().events().log(sa, "the initiator's authentication failed: " + problem);
            return Status.FAILED;
        }
        initialContact(exchange);
        return Status.DONE;
    }

    /**
     * The authenticated peer sent INITIAL_CONTACT (RFC 7296 §3.10.1): this is its only IKE SA with us,
     * so the ones we still hold with that identity are gone at its end (it restarted).
     */
    private void initialContact(Exchange exchange) {
        if (exchange.in().hasNotify(NotifyType.INITIAL_CONTACT)) {
            sa.daemon().initialContact(sa);
        }
    }

    @Override
    public void buildResponse(Exchange exchange) {
        IdPayload id = idPayload(false);
        exchange.add(id);
        addCertificates(exchange);
        byte[] octets = AuthCalculator.signedOctets(
                sa.initResponse(), sa.initiatorNonce(), sa.prf(), sa.keys().skPr(), id.bodyBytes());
        exchange.add(authPayload(octets));
        sa.established();
    }

    /** Null when the peer proved the configured identity, else why not. */
    private String verifyPeer(Exchange exchange, boolean peerIsInitiator) {
        Optional<IdPayload> id = exchange.in().payloads(IdPayload.class).stream()
                .filter(p -> p.initiator() == peerIsInitiator)
                .findFirst();
        Optional<AuthPayload> auth = exchange.in().first(AuthPayload.class);
        if (id.isEmpty() || auth.isEmpty()) {
            return "no ID or AUTH payload";
        }
        IkeIdentity presented =
                new IkeIdentity(id.get().idType().value(), id.get().data());
        if (!sa.credentials().remoteId().matches(presented)) {
            return "identity " + presented + " is not the configured "
                    + sa.credentials().remoteId();
        }
        byte[] message = peerIsInitiator ? sa.initRequest() : sa.initResponse();
        byte[] nonce = peerIsInitiator ? sa.responderNonce() : sa.initiatorNonce();
        byte[] skP = peerIsInitiator ? sa.keys().skPi() : sa.keys().skPr();
        byte[] octets = AuthCalculator.signedOctets(
                message, nonce, sa.prf(), skP, id.get().bodyBytes());
        String problem = sa.credentials().usesPsk()
                ? verifyPsk(auth.get(), octets)
                : verifySignature(exchange, auth.get(), octets, presented);
        if (problem == null) {
            sa.remoteIdentity(presented.toString());
        }
        return problem;
    }

    private String verifyPsk(AuthPayload auth, byte[] octets) {
        if (!auth.method().equals(AuthMethod.SHARED_KEY_MIC)) {
            return "the peer used auth method " + auth.method() + ", but the connection uses a PSK";
        }
        byte[] expected =
                AuthCalculator.sharedKeyAuth(sa.prf(), sa.credentials().psk(), octets);
        return MessageDigest.isEqual(expected, auth.data()) ? null : "AUTH does not match the pre-shared key";
    }

    private String verifySignature(Exchange exchange, AuthPayload auth, byte[] octets, IkeIdentity presented) {
        if (!auth.method().equals(AuthMethod.DIGITAL_SIGNATURE)) {
            return "the peer used auth method " + auth.method() + ", expected digital signature (14)";
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (CertPayload cert : exchange.in().payloads(CertPayload.class)) {
                if (cert.encoding() == CERT_X509_SIGNATURE) {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(cert.data())));
                }
            }
        } catch (CertificateException e) {
            return "unreadable certificate: " + e.getMessage();
        }
        if (chain.isEmpty()) {
            return "no certificate";
        }
        X509Certificate endEntity;
        try {
            endEntity = sa.credentials().validator().validate(chain, Instant.now());
        } catch (CertificateRejectedException e) {
            return "certificate rejected: " + e.getMessage();
        }
        if (!presented.isCoveredBy(endEntity)) {
            return "identity " + presented + " is not in the certificate of " + endEntity.getSubjectX500Principal();
        }
        boolean valid = DigitalSignatureAuth.verify(
                endEntity.getPublicKey(), auth.data(), octets, EnumSet.allOf(SignatureScheme.class));
        return valid ? null : "the signature does not verify";
    }

    private IdPayload idPayload(boolean initiator) {
        IkeIdentity local = sa.credentials().localId();
        return new IdPayload(initiator, IdType.valueOf(local.idType()), local.data());
    }

    private void addCertificates(Exchange exchange) {
        for (X509Certificate certificate : sa.credentials().chain()) {
            try {
                exchange.add(new CertPayload(CERT_X509_SIGNATURE, certificate.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException("a loaded certificate re-encodes", e);
            }
        }
    }

    private AuthPayload authPayload(byte[] octets) {
        Credentials credentials = sa.credentials();
        if (credentials.usesPsk()) {
            return new AuthPayload(
                    AuthMethod.SHARED_KEY_MIC, AuthCalculator.sharedKeyAuth(sa.prf(), credentials.psk(), octets));
        }
        SignatureScheme scheme = SignatureScheme.forKey(credentials.privateKey(), sa.peerHashAlgorithms());
        return new AuthPayload(
                AuthMethod.DIGITAL_SIGNATURE, DigitalSignatureAuth.sign(credentials.privateKey(), scheme, octets));
    }
}
