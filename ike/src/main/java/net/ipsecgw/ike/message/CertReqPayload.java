package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;

/**
 * Certificate Request payload (RFC 7296 §3.7): the certification authorities the sender trusts.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~                       Certification Authority                        ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param encoding the certificate encoding (IANA "IKEv2 Certificate Encodings"), e.g. {@link
 *     #X509_SIGNATURE}
 * @param data for X.509, concatenated SHA-1 hashes of the trusted CAs' public keys (20 bytes each)
 */
public record CertReqPayload(int encoding, byte[] data) implements IkePayload {
    /** Certificate encoding 4: X.509 certificate - signature. */
    public static final int X509_SIGNATURE = 4;

    public CertReqPayload {
        CertBody.checkEncoding(encoding);
    }

    static CertReqPayload decode(ByteBuf body) throws DecodeFailure {
        return CertBody.decode(body, PayloadType.CERTREQ, CertReqPayload::new);
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
        return PayloadType.CERTREQ;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertReqPayload p && CertBody.equal(encoding, data, p.encoding, p.data);
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
