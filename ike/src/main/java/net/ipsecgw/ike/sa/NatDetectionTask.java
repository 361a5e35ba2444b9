package net.ipsecgw.ike.sa;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import net.ipsecgw.ike.message.ExchangeType;
import net.ipsecgw.ike.message.NotifyPayload;
import net.ipsecgw.ike.message.NotifyType;

/**
 * NAT detection in IKE_SA_INIT (RFC 7296 §2.23): each side sends SHA-1(SPIi | SPIr | IP | port) of
 * its source and of the destination it sees, and compares what it receives with what it sees.
 *
 * <p>This gateway's data path carries ESP only in UDP (as strongSwan's {@code encap = yes}): it sends
 * a source hash that cannot match, so the peer always believes this side is behind a NAT and both
 * sides move to the NAT-T port and encapsulate ESP. The initiator moves to the NAT-T port for
 * IKE_AUTH right after this exchange. The destination hash is honest: when the peer's does not match
 * our address and port, a NAT translates us ({@link IkeSa#natHere()}) and the data path sends NAT
 * keepalives.
 *
 * <pre>
 *   HDR, ..., N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)  --&gt;
 *                         &lt;--  HDR, ..., N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)
 * </pre>
 */
final class NatDetectionTask implements Task {
    private final IkeSa sa;

    NatDetectionTask(IkeSa sa) {
        this.sa = sa;
    }

    @Override
    public ExchangeType exchangeType() {
        return ExchangeType.IKE_SA_INIT;
    }

    @Override
    public void buildRequest(Exchange exchange) {
        addHashes(exchange);
    }

    @Override
    public Status processResponse(Exchange exchange) {
        if (exchange.receivedError().isPresent()) {
            return Status.DONE; // the init task decides
        }
        detect(exchange, sa.responderSpi());
        sa.floatToNatT();
        return Status.DONE;
    }

    @Override
    public Status processRequest(Exchange exchange) {
        detect(exchange, 0); // the request's header carried no responder SPI yet
        return Status.DONE;
    }

    @Override
    public void buildResponse(Exchange exchange) {
        addHashes(exchange);
    }

    private void addHashes(Exchange exchange) {
        byte[] forcedSource = new byte[20];
        sa.context().random().nextBytes(forcedSource); // never matches: forces UDP encapsulation
        exchange.add(NotifyPayload.of(NotifyType.NAT_DETECTION_SOURCE_IP, forcedSource));
        exchange.add(NotifyPayload.of(NotifyType.NAT_DETECTION_DESTINATION_IP, hash(sa.remote(), sa.responderSpi())));
    }

    /**
     * Compares the peer's hashes with the addresses as this side sees them, hashed with the SPIs of the
     * message that carried them: in the IKE_SA_INIT request the responder's SPI is still 0.
     */
    private void detect(Exchange exchange, long responderSpi) {
        List<NotifyPayload> sources = exchange.in().notifies().stream()
                .filter(n -> n.notifyType().equals(NotifyType.NAT_DETECTION_SOURCE_IP))
                .toList();
        boolean remoteBehindNat = !sources.isEmpty()
                && sources.stream().noneMatch(n -> MessageDigest.isEqual(n.data(), hash(sa.remote(), responderSpi)));
        boolean localBehindNat = exchange.in()
                .notify(NotifyType.NAT_DETECTION_DESTINATION_IP)
                .map(n -> !MessageDigest.isEqual(n.data(), hash(sa.local(), responderSpi)))
                .orElse(false);
        sa.nat(localBehindNat, remoteBehindNat);
    }

    /** SHA-1(SPIi | SPIr | IP address | port), RFC 7296 §2.23. */
    private byte[] hash(InetSocketAddress address, long responderSpi) {
        byte[] ip = address.getAddress().getAddress();
        ByteBuffer input = ByteBuffer.allocate(16 + ip.length + 2);
        input.putLong(sa.initiatorSpi()).putLong(responderSpi).put(ip).putShort((short) address.getPort());
        try {
            return MessageDigest.getInstance("SHA-1").digest(input.array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
