package net.ipsecgw.ike.message;

/**
 * The outcome of decoding, decrypting or reassembling an IKE message: the message, or why there is
 * none. Decoding never throws on bad bytes; the caller switches over this type. What the caller does
 * with a failure follows RFC 7296 §2.21: {@link Malformed} and {@link UnsupportedCritical} name the
 * error notify an unauthenticated or authenticated answer would carry, {@link IntegrityFailed} is
 * dropped silently.
 */
public sealed interface IkeDecodeResult {

    /** The message decoded (and, after {@code decrypt}, authenticated and decrypted). */
    record Ok(IkeMessage message) implements IkeDecodeResult {}

    /**
     * The message breaks the syntax of RFC 7296 §3.
     *
     * @param error {@link NotifyType#INVALID_SYNTAX}, or {@link NotifyType#INVALID_MAJOR_VERSION}
     *     when the header announces a major version other than 2
     * @param reason what is wrong, for logs
     */
    record Malformed(NotifyType error, String reason) implements IkeDecodeResult {}

    /** A payload of a type this implementation does not know has the critical bit set (RFC 7296 §2.5). */
    record UnsupportedCritical(PayloadType type) implements IkeDecodeResult {}

    /**
     * The encrypted payload did not authenticate (wrong key, forged or corrupted), or there was none to
     * authenticate. RFC 7296 §2.21.2: such messages are dropped without a reply.
     */
    record IntegrityFailed(String reason) implements IkeDecodeResult {}

    /** True for {@link Ok}. */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The decoded message; throws {@link IllegalStateException} for a failure, naming it. */
    default IkeMessage orElseThrow() {
        if (this instanceof Ok(IkeMessage message)) {
            return message;
        }
        throw new IllegalStateException("no IKE message: " + this);
    }
}
