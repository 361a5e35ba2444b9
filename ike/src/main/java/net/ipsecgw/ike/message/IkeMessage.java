package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An IKEv2 message (RFC 7296 §3): the header and its payloads, decoded from or encoded to a datagram.
 *
 * <p>A received protected message decodes in two steps: {@link #decode} checks the header and the
 * plaintext payload chain and keeps the SK payload sealed; {@link #decrypt} authenticates and opens it
 * once the IKE SA's keys are known, putting the inner payloads in its place. Fragments (SKF) go to a
 * {@link FragmentReassembler} instead. Neither step throws on bad bytes: both return an {@link
 * IkeDecodeResult}. The datagram's indexes are left alone and it is not released; decoded payloads
 * hold copies of their bytes, so the datagram may be released as soon as {@code decode} returns.
 *
 * <p>Sending goes the other way: build the message from a header ({@link IkeHeader#of}) and payloads,
 * then {@link #encode} it in plaintext (IKE_SA_INIT), {@link #encodeEncrypted} it into one SK payload,
 * or {@link #encodeFragments} it into SKF fragments (RFC 7383). The encoders fill in the header's next
 * payload and length; the returned buffers belong to the caller.
 *
 * <p>Immutable; the payload list is unmodifiable.
 *
 * @param header the IKE header; after {@code decode} exactly as received
 * @param payloads the payloads in order; after {@code decrypt} the plaintext payloads that preceded SK,
 *     then those that were inside it
 */
public record IkeMessage(IkeHeader header, List<IkePayload> payloads) {

    public IkeMessage {
        payloads = List.copyOf(payloads);
    }

    /** A message of the given header and payloads. */
    public static IkeMessage of(IkeHeader header, IkePayload... payloads) {
        return new IkeMessage(header, List.of(payloads));
    }

    /**
     * Decodes a datagram's readable bytes (the IKE message, without the non-ESP marker of port 4500).
     * Checks: at least a header; major version 2 ({@link NotifyType#INVALID_MAJOR_VERSION} otherwise);
     * the header's length equals the datagram's; every payload's length at least 4 and within the
     * message; each payload's syntax; an SK or SKF payload only last. An unknown payload type with
     * the critical bit gives {@link IkeDecodeResult.UnsupportedCritical}, without it an {@link
     * UnknownPayload}.
     */
    public static IkeDecodeResult decode(ByteBuf datagram) {
        int size = datagram.readableBytes();
        if (size < IkeHeader.LENGTH) {
            return malformed("datagram of " + size + " bytes is shorter than an IKE header");
        }
        IkeHeader header = IkeHeader.decode(datagram);
        if (header.majorVersion() != 2) {
            return new IkeDecodeResult.Malformed(
                    NotifyType.INVALID_MAJOR_VERSION, "major version " + header.majorVersion());
        }
        if (header.unsignedLength() != size) {
            return malformed("header says " + header.unsignedLength() + " bytes, datagram has " + size);
        }
        ByteBuf chain = datagram.slice(datagram.readerIndex() + IkeHeader.LENGTH, size - IkeHeader.LENGTH);
        try {
            return new IkeDecodeResult.Ok(
                    new IkeMessage(header, PayloadChain.decode(header.nextPayload(), chain, true)));
        } catch (DecodeFailure failure) {
            return failure.result();
        }
    }

    /**
     * Authenticates and decrypts the SK payload with the peer's cipher and decodes the payloads inside
     * (with the checks of {@link #decode}; another SK inside is a syntax error).
     *
     * @return the message with the inner payloads in place of SK; {@link IkeDecodeResult.IntegrityFailed}
     *     if the ICV does not verify or the message has no SK payload (drop it silently, RFC 7296
     *     §2.21.2); {@link IkeDecodeResult.Malformed} or {@link IkeDecodeResult.UnsupportedCritical} if
     *     the authentic content is bad
     * @throws IllegalStateException for a fragment: those go to a {@link FragmentReassembler}
     */
    public IkeDecodeResult decrypt(SkCipher cipher) {
        if (isFragment()) {
            throw new IllegalStateException("an SKF fragment is decrypted by FragmentReassembler");
        }
        if (payloads.isEmpty() || !(payloads.getLast() instanceof EncryptedPayload sk)) {
            return new IkeDecodeResult.IntegrityFailed("message has no SK payload");
        }
        try {
            byte[] content = SkCodec.open(header, payloads, cipher);
            return new IkeDecodeResult.Ok(withInner(sk.firstPayload(), content));
        } catch (DecodeFailure failure) {
            return failure.result();
        }
    }

    /** This message with its last (encrypted) payload replaced by the chain decoded from {@code content}. */
    IkeMessage withInner(PayloadType first, byte[] content) throws DecodeFailure {
        List<IkePayload> inner = PayloadChain.decode(first.value(), Unpooled.wrappedBuffer(content), false);
        List<IkePayload> all = new ArrayList<>(payloads.subList(0, payloads.size() - 1));
        all.addAll(inner);
        return new IkeMessage(header, all);
    }

    /** True if the message ends in an SKF payload, a fragment of a larger message. */
    public boolean isFragment() {
        return !payloads.isEmpty() && payloads.getLast() instanceof EncryptedFragmentPayload;
    }

    /** Encodes the message in plaintext, filling in the header's next payload and length. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        int length = IkeHeader.LENGTH + PayloadChain.length(payloads);
        ByteBuf out = alloc.buffer(length);
        header.withNextPayload(PayloadChain.firstType(payloads))
                .withLength(length)
                .encode(out);
        PayloadChain.encode(payloads, out);
        return out;
    }

    /**
     * Encodes the message with all its payloads inside one SK payload (RFC 7296 §3.14): IV from the
     * cipher's counter, the encrypted payloads, a zero pad length, the ICV.
     *
     * @throws IllegalStateException if a payload is already SK or SKF, or the cipher's IVs are exhausted
     */
    public ByteBuf encodeEncrypted(ByteBufAllocator alloc, SkCipher cipher) {
        byte[] content = SkCodec.content(payloads);
        int first = PayloadChain.firstType(payloads);
        return SkCodec.seal(alloc, header, cipher, first, content, 0, content.length, 0, 0);
    }

    /**
     * Encodes the message for a peer that announced IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383 §2.5): as
     * one SK message if that fits in {@code maxDatagramSize}, otherwise as SKF fragments numbered from 1,
     * each encrypted on its own and no larger than {@code maxDatagramSize}. The first fragment names the
     * first inner payload, the others carry Next Payload 0.
     *
     * @param maxDatagramSize the largest IKE message to send, without IP and UDP headers and the non-ESP
     *     marker (RFC 7383 §2.5.1 suggests 1280 minus those for IPv6)
     * @throws IllegalArgumentException if not even one content byte fits a fragment, or more than 65535
     *     fragments would be needed
     */
    public List<ByteBuf> encodeFragments(ByteBufAllocator alloc, SkCipher cipher, int maxDatagramSize) {
        byte[] content = SkCodec.content(payloads);
        int first = PayloadChain.firstType(payloads);
        if (SkCodec.overhead(cipher, false) + content.length <= maxDatagramSize) {
            return List.of(SkCodec.seal(alloc, header, cipher, first, content, 0, content.length, 0, 0));
        }
        int chunk = maxDatagramSize - SkCodec.overhead(cipher, true);
        if (chunk < 1) {
            throw new IllegalArgumentException("no room for content in fragments of " + maxDatagramSize + " bytes");
        }
        int total = (content.length + chunk - 1) / chunk;
        if (total > 0xffff) {
            throw new IllegalArgumentException(total + " fragments needed, at most 65535 possible");
        }
        List<ByteBuf> fragments = new ArrayList<>(total);
        for (int n = 1; n <= total; n++) {
            int offset = (n - 1) * chunk;
            int length = Math.min(chunk, content.length - offset);
            int next = n == 1 ? first : 0;
            fragments.add(SkCodec.seal(alloc, header, cipher, next, content, offset, length, n, total));
        }
        return fragments;
    }

    /** The payloads of a type, in order. */
    public <T extends IkePayload> List<T> payloads(Class<T> type) {
        return payloads.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The first payload of a type. */
    public <T extends IkePayload> Optional<T> first(Class<T> type) {
        return payloads.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** All notify payloads, in order. */
    public List<NotifyPayload> notifies() {
        return payloads(NotifyPayload.class);
    }

    /** The first notify of a type. */
    public Optional<NotifyPayload> notify(NotifyType type) {
        return notifies().stream().filter(n -> n.notifyType().equals(type)).findFirst();
    }

    /** True if the message has a notify of this type. */
    public boolean hasNotify(NotifyType type) {
        return notify(type).isPresent();
    }

    private static IkeDecodeResult malformed(String reason) {
        return new IkeDecodeResult.Malformed(NotifyType.INVALID_SYNTAX, reason);
    }

    @Override
    public String toString() {
        return header.exchangeType() + (header.isResponse() ? " response " : " request ") + header.unsignedMessageId()
                + " " + payloads;
    }
}
