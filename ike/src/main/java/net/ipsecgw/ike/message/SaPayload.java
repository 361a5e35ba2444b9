package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Security Association payload (RFC 7296 §3.3): one or more {@link Proposal}s, each a list of
 * {@link Transform}s.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                          <Proposals>                          ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>An SA payload without proposals, or with bytes after the proposal marked last, is a syntax error.
 *
 * @param proposals the proposals, in order of preference
 */
public record SaPayload(List<Proposal> proposals) implements IkePayload {

    public SaPayload {
        proposals = List.copyOf(proposals);
    }

    /** An SA payload with the given proposals. */
    public static SaPayload of(Proposal... proposals) {
        return new SaPayload(List.of(proposals));
    }

    static SaPayload decode(ByteBuf body) throws DecodeFailure {
        List<Proposal> proposals = new ArrayList<>();
        boolean last = false;
        while (!last) {
            Bytes.need(body, 1, "SA payload");
            last = body.getUnsignedByte(body.readerIndex()) == Proposal.LAST;
            proposals.add(Proposal.decode(body, last));
        }
        Bytes.end(body, "SA payload");
        return new SaPayload(proposals);
    }

    @Override
    public void encodeBody(ByteBuf out) {
        for (int i = 0; i < proposals.size(); i++) {
            proposals.get(i).encode(out, i == proposals.size() - 1);
        }
    }

    @Override
    public int bodyLength() {
        int length = 0;
        for (Proposal p : proposals) {
            length += p.encodedLength();
        }
        return length;
    }

    @Override
    public PayloadType type() {
        return PayloadType.SA;
    }

    @Override
    public String toString() {
        return "SA" + proposals;
    }
}
