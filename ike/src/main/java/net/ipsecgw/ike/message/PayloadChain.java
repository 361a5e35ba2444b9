package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The chain of generic payload headers (RFC 7296 §3.2): each header names the type of the payload after
 * it, the IKE header (or an SK payload) names the first. Decoding walks the chain over a buffer and
 * hands each body to its payload type's decoder; encoding writes the chain back.
 *
 * <p>Decoding checks that every payload length is at least 4 and within the buffer, that each body
 * is consumed exactly by its decoder, that an SK or SKF payload comes last, and that nothing follows
 * the last payload. An unknown type with the critical bit set stops decoding with {@link
 * IkeDecodeResult.UnsupportedCritical}; without it, the payload is kept as an {@link UnknownPayload}.
 */
final class PayloadChain {
    private static final int CRITICAL = 0x80;

    private PayloadChain() {}

    /**
     * Decodes all readable bytes of {@code in} as a chain starting with a payload of type {@code first}.
     *
     * @param allowEncrypted whether an SK or SKF payload may end the chain (false inside SK)
     */
    static List<IkePayload> decode(int first, ByteBuf in, boolean allowEncrypted) throws DecodeFailure {
        List<IkePayload> payloads = new ArrayList<>();
        int next = first;
        while (next != 0) {
            PayloadType type = PayloadType.valueOf(next);
            Bytes.need(in, IkePayload.GENERIC_HEADER_LENGTH, "generic header of " + type);
            next = in.readUnsignedByte();
            boolean critical = (in.readUnsignedByte() & CRITICAL) != 0;
            int length = in.readUnsignedShort();
            if (length < IkePayload.GENERIC_HEADER_LENGTH || length - 4 > in.readableBytes()) {
                throw DecodeFailure.syntax(type + " payload length " + length + " out of bounds");
            }
            ByteBuf body = in.readSlice(length - IkePayload.GENERIC_HEADER_LENGTH);
            if (isEncrypted(type)) {
                payloads.add(encrypted(type, next, body, in, allowEncrypted));
                return payloads;
            }
            payloads.add(payload(type, critical, body));
            Bytes.end(body, type + " payload");
        }
        Bytes.end(in, "payload chain");
        return payloads;
    }

    private static IkePayload encrypted(PayloadType type, int inner, ByteBuf body, ByteBuf rest, boolean allowed)
            throws DecodeFailure {
        if (!allowed) {
            throw DecodeFailure.syntax(type + " payload inside an encrypted payload");
        }
        if (rest.isReadable()) {
            throw DecodeFailure.syntax(type + " payload is not the last payload");
        }
        PayloadType first = PayloadType.valueOf(inner);
        return type.equals(PayloadType.SK)
                ? EncryptedPayload.decode(first, body)
                : EncryptedFragmentPayload.decode(first, body);
    }

    private static IkePayload payload(PayloadType type, boolean critical, ByteBuf body) throws DecodeFailure {
        return switch (type.value()) {
            case 33 -> SaPayload.decode(body);
            case 34 -> KePayload.decode(body);
            case 35, 36 -> IdPayload.decode(type.equals(PayloadType.IDI), body);
            case 37 -> CertPayload.decode(body);
            case 38 -> CertReqPayload.decode(body);
            case 39 -> AuthPayload.decode(body);
            case 40 -> NoncePayload.decode(body);
            case 41 -> NotifyPayload.decode(body);
            case 42 -> DeletePayload.decode(body);
            case 43 -> VendorIdPayload.decode(body);
            case 44, 45 -> TsPayload.decode(type.equals(PayloadType.TSI), body);
            case 47, 48 -> UnknownPayload.decode(type, critical, body); // CP and EAP: not parsed here
            default -> unknown(type, critical, body);
        };
    }

    private static IkePayload unknown(PayloadType type, boolean critical, ByteBuf body) throws DecodeFailure {
        if (critical) {
            throw new DecodeFailure(new IkeDecodeResult.UnsupportedCritical(type));
        }
        return UnknownPayload.decode(type, false, body);
    }

    static boolean isEncrypted(PayloadType type) {
        return type.equals(PayloadType.SK) || type.equals(PayloadType.SKF);
    }

    /** The type of the first payload, 0 for none: the value of the IKE header's Next Payload. */
    static int firstType(List<IkePayload> payloads) {
        return payloads.isEmpty() ? 0 : payloads.getFirst().type().value();
    }

    /** Bytes of the chain, generic headers included. */
    static int length(List<IkePayload> payloads) {
        int length = 0;
        for (IkePayload p : payloads) {
            length += p.encodedLength();
        }
        return length;
    }

    /** Writes the chain: each payload's generic header, then its body. */
    static void encode(List<IkePayload> payloads, ByteBuf out) {
        for (int i = 0; i < payloads.size(); i++) {
            IkePayload p = payloads.get(i);
            out.writeByte(nextType(payloads, i));
            out.writeByte(p.critical() ? CRITICAL : 0);
            out.writeShort(p.encodedLength());
            p.encodeBody(out);
        }
    }

    private static int nextType(List<IkePayload> payloads, int i) {
        return switch (payloads.get(i)) {
            case EncryptedPayload sk -> sk.firstPayload().value();
            case EncryptedFragmentPayload skf -> skf.firstPayload().value();
            default -> i + 1 < payloads.size() ? payloads.get(i + 1).type().value() : 0;
        };
    }
}
