package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Encrypted and Authenticated Fragment payload, SKF (RFC 7383 §2.5), as received: one fragment of an
 * SK payload's content, encrypted on its own. {@link FragmentReassembler} verifies, opens and
 * reassembles fragments; {@link IkeMessage#encodeFragments} builds them.
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Fragment Number        |        Total Fragments        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Encrypted content                        ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |             Padding (0-255 octets)            |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * |                                               |  Pad Length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Fragment numbers start at 1; a number of 0 or above the total is a syntax error. Only the first
 * fragment's Next Payload names the first inner payload; the others carry 0 ({@link PayloadType#NONE}).
 *
 * @param fragmentNumber this fragment's number, 1..totalFragments
 * @param totalFragments the number of fragments of the message
 * @param firstPayload the first inner payload's type in fragment 1, NONE in the others
 * @param data IV, ciphertext (content, padding, pad length) and ICV, as on the wire
 */
public record EncryptedFragmentPayload(int fragmentNumber, int totalFragments, PayloadType firstPayload, byte[] data)
        implements IkePayload {
    /** Bytes of Fragment Number and Total Fragments, which follow the generic header. */
    static final int FIXED = 4;

    public EncryptedFragmentPayload {
        if (!valid(fragmentNumber, totalFragments)) {
            throw new IllegalArgumentException("fragment " + fragmentNumber + " of " + totalFragments);
        }
    }

    static EncryptedFragmentPayload decode(PayloadType firstPayload, ByteBuf body) throws DecodeFailure {
        Bytes.need(body, FIXED, "SKF payload");
        int number = body.readUnsignedShort();
        int total = body.readUnsignedShort();
        if (!valid(number, total)) {
            throw DecodeFailure.syntax("fragment " + number + " of " + total);
        }
        return new EncryptedFragmentPayload(number, total, firstPayload, Bytes.rest(body));
    }

    private static boolean valid(int number, int total) {
        return number >= 1 && number <= total && total <= 0xffff;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeShort(fragmentNumber);
        out.writeShort(totalFragments);
        out.writeBytes(data);
    }

    @Override
    public int bodyLength() {
        return FIXED + data.length;
    }

    @Override
    public PayloadType type() {
        return PayloadType.SKF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncryptedFragmentPayload p
                && p.fragmentNumber == fragmentNumber
                && p.totalFragments == totalFragments
                && p.firstPayload.equals(firstPayload)
                && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return ((fragmentNumber * 31 + totalFragments) * 31 + firstPayload.hashCode()) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SKF[" + fragmentNumber + "/" + totalFragments + " first=" + firstPayload + " " + data.length
                + " bytes]";
    }
}
