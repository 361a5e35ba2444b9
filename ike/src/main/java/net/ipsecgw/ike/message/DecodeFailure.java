package net.ipsecgw.ike.message;

/**
 * Carries a failed {@link IkeDecodeResult} out of the nested payload decoders to {@link IkeMessage},
 * which returns the result; never escapes this package. Has no stack trace, so that rejecting
 * garbage costs no more than accepting a message.
 */
final class DecodeFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient IkeDecodeResult result;

    DecodeFailure(IkeDecodeResult result) {
        super(result.toString(), null, false, false);
        this.result = result;
    }

    /** A syntax error: the peer would be told INVALID_SYNTAX. */
    static DecodeFailure syntax(String reason) {
        return new DecodeFailure(new IkeDecodeResult.Malformed(NotifyType.INVALID_SYNTAX, reason));
    }

    IkeDecodeResult result() {
        return result;
    }
}
