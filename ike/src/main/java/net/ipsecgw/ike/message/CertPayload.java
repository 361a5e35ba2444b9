package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Certificate payload (RFC 7296 §3.6): a certificate or other authentication-related data.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~                       Certificate Data                        ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param encoding the certificate encoding (IANA "IKEv2 Certificate Encodings"), e.g. {@link
 *     #X509_SIGNATURE}
 * @param data the certificate, encoded as {@code encoding} says (DER for X.509)
 */
public record CertPayload(int encoding, byte[] data) implements IkePayload {
    /** Certificate encoding 4: X.509 certificate - signature. */
    public static final int X509_SIGNATURE = 4;

    public CertPayload {
        if (encoding < 0 || encoding > 255) {
            throw new IllegalArgumentException("certificate encoding out of range: " + encoding);
        }
    }

    static CertPayload decode(ByteBuf body) throws DecodeFailure {
        Bytes.need(body, 1, "CERT payload");
        return new CertPayload(body.readUnsignedByte(), Bytes.rest(body));
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeByte(encoding);
        out.writeBytes(data);
    }

    @Override
    public int bodyLength() {
        return 1 + data.length;
    }

    @Override
    public PayloadType type() {
        return PayloadType.CERT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertPayload p && p.encoding == encoding && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return encoding * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "CERT[" + encoding + " " + Bytes.hex(data) + "]";
    }
}
