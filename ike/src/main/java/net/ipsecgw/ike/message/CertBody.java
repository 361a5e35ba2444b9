package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The body that CERT and CERTREQ payloads share (RFC 7296 §3.6, §3.7): a one-octet encoding (IANA
 * "IKEv2 Certificate Encodings"), then data to the end of the payload. {@link CertPayload} and
 * {@link CertReqPayload} stay distinct payload types and call these for their codec, {@code
 * equals}, {@code hashCode} and {@code toString}. Stateless.
 */
final class CertBody {
    /** Creates a payload from its encoding and data. */
    interface Factory<P extends IkePayload> {
        P create(int encoding, byte[] data);
    }

    private CertBody() {}

    /** Throws unless {@code encoding} fits the one-octet field. */
    static void checkEncoding(int encoding) {
        if (encoding < 0 || encoding > 255) {
            throw new IllegalArgumentException("certificate encoding out of range: " + encoding);
        }
    }

    /** Decodes the body of a payload of {@code type}; fails if it has no encoding octet. */
    static <P extends IkePayload> P decode(ByteBuf body, PayloadType type, Factory<P> factory) throws DecodeFailure {
        Bytes.need(body, 1, type + " payload");
        return factory.create(body.readUnsignedByte(), Bytes.rest(body));
    }

    static void encode(ByteBuf out, int encoding, byte[] data) {
        out.writeByte(encoding);
        out.writeBytes(data);
    }

    static int length(byte[] data) {
        return 1 + data.length;
    }

    static boolean equal(int encoding, byte[] data, int otherEncoding, byte[] otherData) {
        return otherEncoding == encoding && Arrays.equals(otherData, data);
    }

    static int hash(int encoding, byte[] data) {
        return encoding * 31 + Arrays.hashCode(data);
    }

    /** {@code TYPE[encoding hex]}, e.g. {@code CERT[4 3082...]}. */
    static String display(PayloadType type, int encoding, byte[] data) {
        return type + "[" + encoding + " " + Bytes.hex(data) + "]";
    }
}
