package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;

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
        CertBody.checkEncoding(encoding);
    }

    static CertPayload decode(ByteBuf body) throws DecodeFailure {
        return CertBody.decode(body, PayloadType.CERT, CertPayload::new);
    }

    @Override
    public void encodeBody(ByteBuf out) {
        CertBody.encode(out, encoding, data);
    }

    @Override
    public int bodyLength() {
        return CertBody.length(data);
    }

    @Override
    public PayloadType type() {
        return PayloadType.CERT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertPayload p && CertBody.equal(encoding, data, p.encoding, p.data);
    }

    @Override
    public int hashCode() {
        return CertBody.hash(encoding, data);
    }

    @Override
    public String toString() {
        return CertBody.display(type(), encoding, data);
    }
}
