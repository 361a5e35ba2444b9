package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Vendor ID payload (RFC 7296 §3.12): an opaque constant a vendor chose, usually a hash.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                        Vendor ID (VID)                        ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param vendorId the vendor's constant
 */
public record VendorIdPayload(byte[] vendorId) implements IkePayload {

    static VendorIdPayload decode(ByteBuf body) {
        return new VendorIdPayload(Bytes.rest(body));
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeBytes(vendorId);
    }

    @Override
    public int bodyLength() {
        return vendorId.length;
    }

    @Override
    public PayloadType type() {
        return PayloadType.VENDOR_ID;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VendorIdPayload p && Arrays.equals(p.vendorId, vendorId);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(vendorId);
    }

    @Override
    public String toString() {
        return "V[" + Bytes.hex(vendorId) + "]";
    }
}
