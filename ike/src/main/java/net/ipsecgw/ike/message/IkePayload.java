package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;

/**
 * One payload of an IKE message. Each implementation decodes and encodes its body; the generic
 * payload header in front of every body is read and written by the message codec (RFC 7296 §3.2):
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Implementations are immutable records; byte arrays they hold are not copied, so treat them as
 * read-only. Their {@code equals}, {@code hashCode} and {@code toString} use the arrays' contents.
 */
public sealed interface IkePayload
        permits SaPayload,
                KePayload,
                NoncePayload,
                NotifyPayload,
                IdPayload,
                AuthPayload,
                CertPayload,
                CertReqPayload,
                TsPayload,
                DeletePayload,
                VendorIdPayload,
                UnknownPayload,
                EncryptedPayload,
                EncryptedFragmentPayload {

    /** Bytes of the generic payload header. */
    int GENERIC_HEADER_LENGTH = 4;

    /** The payload type written into the previous payload's (or the header's) next-payload field. */
    PayloadType type();

    /**
     * The critical bit. RFC 7296 §3.2 defines it only for payload types the receiver does not
     * recognise, so every payload of a known type encodes it as zero.
     */
    default boolean critical() {
        return false;
    }

    /** Bytes of the body, without the generic header. */
    int bodyLength();

    /** Writes the body, without the generic header, at {@code out}'s writer index. */
    void encodeBody(ByteBuf out);

    /** Bytes of the payload with its generic header. */
    default int encodedLength() {
        return GENERIC_HEADER_LENGTH + bodyLength();
    }
}
