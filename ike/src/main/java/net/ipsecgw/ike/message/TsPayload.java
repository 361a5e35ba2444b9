package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Traffic Selector payload (RFC 7296 §3.13): TSi or TSr, a list of {@link TrafficSelector}s.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of TSs |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                       <Traffic Selectors>                     ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The count must describe the body exactly; bytes after the last selector are a syntax error.
 *
 * @param initiator true for TSi, false for TSr
 * @param selectors the selectors, in order
 */
public record TsPayload(boolean initiator, List<TrafficSelector> selectors) implements IkePayload {
    private static final int FIXED = 4;

    public TsPayload {
        selectors = List.copyOf(selectors);
        if (selectors.size() > 255) {
            throw new IllegalArgumentException("more than 255 traffic selectors");
        }
    }

    static TsPayload decode(boolean initiator, ByteBuf body) throws DecodeFailure {
        Bytes.need(body, FIXED, "TS payload");
        int count = body.readUnsignedByte();
        body.skipBytes(3);
        List<TrafficSelector> selectors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            selectors.add(TrafficSelector.decode(body));
        }
        Bytes.end(body, "TS payload");
        return new TsPayload(initiator, selectors);
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeByte(selectors.size());
        out.writeMedium(0);
        for (TrafficSelector ts : selectors) {
            ts.encode(out);
        }
    }

    @Override
    public int bodyLength() {
        int length = FIXED;
        for (TrafficSelector ts : selectors) {
            length += ts.encodedLength();
        }
        return length;
    }

    @Override
    public PayloadType type() {
        return initiator ? PayloadType.TSI : PayloadType.TSR;
    }

    @Override
    public String toString() {
        return (initiator ? "TSi" : "TSr") + selectors;
    }
}
