package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Encrypted and Authenticated payload, SK (RFC 7296 §3.14), as received: still encrypted. {@link
 * IkeMessage#decrypt} verifies and opens it; {@link IkeMessage#encodeEncrypted} builds one.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * |         (length is block size for encryption algorithm)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Encrypted IKE Payloads                     ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |             Padding (0-255 octets)            |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * |                                               |  Pad Length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The Next Payload field of its generic header names the first payload inside, {@code
 * firstPayload}; the SK payload is always the last of its message.
 *
 * @param firstPayload the type of the first encrypted payload
 * @param data IV, ciphertext (payloads, padding, pad length) and ICV, as on the wire
 */
public record EncryptedPayload(PayloadType firstPayload, byte[] data) implements IkePayload {

    static EncryptedPayload decode(PayloadType firstPayload, ByteBuf body) {
        return new EncryptedPayload(firstPayload, Bytes.rest(body));
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeBytes(data);
    }

    @Override
    public int bodyLength() {
        return data.length;
    }

    @Override
    public PayloadType type() {
        return PayloadType.SK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncryptedPayload p && p.firstPayload.equals(firstPayload) && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return firstPayload.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SK[first=" + firstPayload + " " + data.length + " bytes]";
    }
}
