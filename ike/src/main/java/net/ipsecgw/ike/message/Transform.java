package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * One transform of a proposal (RFC 7296 §3.3.2), with its attributes (§3.3.5).
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Transform Type |   RESERVED    |          Transform ID         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                      Transform Attributes                     ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Attribute:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |A|       Attribute Type        |    AF=0  Attribute Length     |
 * |F|                             |    AF=1  Attribute Value      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   AF=0  Attribute Value                       |
 * |                   AF=1  Not Transmitted                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The only attribute RFC 7296 defines is Key Length (type 14, AF=1), held in {@code keyLength}. Any
 * other attribute is kept, raw and in order, in {@code otherAttributes}, not rejected here: RFC 7296
 * §3.3.6 has the responder reject a <em>proposal</em> with an unrecognised attribute, which is a
 * negotiation decision ({@link #hasUnrecognizedAttributes()}), not a syntax error of the message.
 * Encoding writes Key Length first, then the other attributes.
 *
 * @param type the transform type
 * @param id the transform ID (e.g. ENCR 20 for AES-GCM with a 16-byte ICV)
 * @param keyLength the Key Length attribute in bits, or 0 when absent
 * @param otherAttributes encoded attributes other than Key Length, usually empty
 */
public record Transform(TransformType type, int id, int keyLength, byte[] otherAttributes) {
    /** Attribute type of Key Length (RFC 7296 §3.3.5). */
    public static final int ATTRIBUTE_KEY_LENGTH = 14;

    static final int LAST = 0;
    static final int MORE = 3;
    private static final int FIXED = 8;
    private static final int TV_FLAG = 0x8000;

    public Transform {
        if (id < 0 || id > 0xffff || keyLength < 0 || keyLength > 0xffff) {
            throw new IllegalArgumentException("transform ID or key length out of range: " + id + ", " + keyLength);
        }
    }

    /** A transform without attributes other than an optional key length (0 for none). */
    public Transform(TransformType type, int id, int keyLength) {
        this(type, id, keyLength, Bytes.EMPTY);
    }

    /** A transform without attributes. */
    public Transform(TransformType type, int id) {
        this(type, id, 0, Bytes.EMPTY);
    }

    /** True if the transform carries attributes other than Key Length (RFC 7296 §3.3.6: reject). */
    public boolean hasUnrecognizedAttributes() {
        return otherAttributes.length > 0;
    }

    static Transform decode(ByteBuf in, boolean last) throws DecodeFailure {
        Bytes.need(in, FIXED, "transform");
        int marker = in.readUnsignedByte();
        if (marker != (last ? LAST : MORE)) {
            throw DecodeFailure.syntax("transform's last-substructure field is " + marker);
        }
        in.skipBytes(1);
        int length = in.readUnsignedShort();
        if (length < FIXED || length - 4 > in.readableBytes()) {
            throw DecodeFailure.syntax("transform length " + length + " out of bounds");
        }
        TransformType type = TransformType.valueOf(in.readUnsignedByte());
        in.skipBytes(1);
        int id = in.readUnsignedShort();
        return withAttributes(type, id, in.readSlice(length - FIXED));
    }

    private static Transform withAttributes(TransformType type, int id, ByteBuf attributes) throws DecodeFailure {
        int keyLength = 0;
        boolean sawKeyLength = false;
        ByteBuf others = Unpooled.buffer(0);
        while (attributes.isReadable()) {
            Bytes.need(attributes, 4, "transform attribute");
            int start = attributes.readerIndex();
            int typeAndFormat = attributes.readUnsignedShort();
            int valueOrLength = attributes.readUnsignedShort();
            if (typeAndFormat == (TV_FLAG | ATTRIBUTE_KEY_LENGTH) && !sawKeyLength) {
                keyLength = valueOrLength;
                sawKeyLength = true;
                continue;
            }
            if ((typeAndFormat & TV_FLAG) == 0) {
                Bytes.need(attributes, valueOrLength, "transform attribute value");
                attributes.skipBytes(valueOrLength);
            }
            others.writeBytes(attributes, start, attributes.readerIndex() - start);
        }
        byte[] other = others.readableBytes() == 0 ? Bytes.EMPTY : Bytes.rest(others);
        return new Transform(type, id, keyLength, other);
    }

    int encodedLength() {
        return FIXED + (keyLength != 0 ? 4 : 0) + otherAttributes.length;
    }

    void encode(ByteBuf out, boolean last) {
        out.writeByte(last ? LAST : MORE);
        out.writeByte(0);
        out.writeShort(encodedLength());
        out.writeByte(type.value());
        out.writeByte(0);
        out.writeShort(id);
        if (keyLength != 0) {
            out.writeShort(TV_FLAG | ATTRIBUTE_KEY_LENGTH);
            out.writeShort(keyLength);
        }
        out.writeBytes(otherAttributes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Transform t
                && t.type.equals(type)
                && t.id == id
                && t.keyLength == keyLength
                && Arrays.equals(t.otherAttributes, otherAttributes);
    }

    @Override
    public int hashCode() {
        return ((type.hashCode() * 31 + id) * 31 + keyLength) * 31 + Arrays.hashCode(otherAttributes);
    }

    @Override
    public String toString() {
        String key = keyLength != 0 ? "/" + keyLength : "";
        String other = otherAttributes.length != 0 ? " attrs=" + Bytes.hex(otherAttributes) : "";
        return type + ":" + id + key + other;
    }
}
