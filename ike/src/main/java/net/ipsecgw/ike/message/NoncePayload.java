package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Nonce payload (RFC 7296 §3.9): Ni or Nr, random data of 16 to 256 bytes.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                            Nonce Data                         ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>A nonce outside 16..256 bytes is a syntax error ("MUST be between 16 and 256 octets").
 *
 * @param nonce the nonce data
 */
public record NoncePayload(byte[] nonce) implements IkePayload {
    /** Shortest nonce RFC 7296 §3.9 allows. */
    public static final int MIN_LENGTH = 16;
    /** Longest nonce RFC 7296 §3.9 allows. */
    public static final int MAX_LENGTH = 256;

    public NoncePayload {
        if (!fits(nonce.length)) {
            throw new IllegalArgumentException("nonce must have 16..256 bytes, has " + nonce.length);
        }
    }

    static NoncePayload decode(ByteBuf body) throws DecodeFailure {
        if (!fits(body.readableBytes())) {
            throw DecodeFailure.syntax("nonce must have 16..256 bytes, has " + body.readableBytes());
        }
        return new NoncePayload(Bytes.rest(body));
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeBytes(nonce);
    }

    @Override
    public int bodyLength() {
        return nonce.length;
    }

    @Override
    public PayloadType type() {
        return PayloadType.NONCE;
    }

    private static boolean fits(int length) {
        return length >= MIN_LENGTH && length <= MAX_LENGTH;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoncePayload p && Arrays.equals(p.nonce, nonce);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "Nonce[" + Bytes.hex(nonce) + "]";
    }
}
