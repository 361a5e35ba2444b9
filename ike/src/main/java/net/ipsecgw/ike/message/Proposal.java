package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One proposal of an SA payload (RFC 7296 §3.3.1).
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SPI (variable)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~                        <Transforms>                           ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Syntax checked here: lengths, the transform count, and the last-substructure markers (0 for the
 * last transform, 3 before it). Whether the transforms make a usable suite is for negotiation.
 *
 * @param number the proposal number (1 for the first)
 * @param protocol IKE, AH or ESP
 * @param spi the sender's SPI: empty in IKE_SA_INIT, 8 bytes when rekeying an IKE SA, 4 for ESP/AH
 * @param transforms the transforms, in order
 */
public record Proposal(int number, ProtocolId protocol, byte[] spi, List<Transform> transforms) {
    static final int LAST = 0;
    static final int MORE = 2;
    private static final int FIXED = 8;

    public Proposal {
        transforms = List.copyOf(transforms);
        if (number < 0 || number > 255 || spi.length > 255 || transforms.size() > 255) {
            throw new IllegalArgumentException("proposal number, SPI or transform count out of range");
        }
    }

    static Proposal decode(ByteBuf in, boolean last) throws DecodeFailure {
        Bytes.need(in, FIXED, "proposal");
        int marker = in.readUnsignedByte();
        if (marker != (last ? LAST : MORE)) {
            throw DecodeFailure.syntax("proposal's last-substructure field is " + marker);
        }
        in.skipBytes(1);
        int length = in.readUnsignedShort();
        if (length < FIXED || length - 4 > in.readableBytes()) {
            throw DecodeFailure.syntax("proposal length " + length + " out of bounds");
        }
        ByteBuf rest = in.readSlice(length - 4);
        int number = rest.readUnsignedByte();
        ProtocolId protocol = ProtocolId.valueOf(rest.readUnsignedByte());
        int spiSize = rest.readUnsignedByte();
        int count = rest.readUnsignedByte();
        byte[] spi = Bytes.read(rest, spiSize, "proposal SPI");
        List<Transform> transforms = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            transforms.add(Transform.decode(rest, i == count - 1));
        }
        Bytes.end(rest, "proposal");
        return new Proposal(number, protocol, spi, transforms);
    }

    int encodedLength() {
        int length = FIXED + spi.length;
        for (Transform t : transforms) {
            length += t.encodedLength();
        }
        return length;
    }

    void encode(ByteBuf out, boolean last) {
        out.writeByte(last ? LAST : MORE);
        out.writeByte(0);
        out.writeShort(encodedLength());
        out.writeByte(number);
        out.writeByte(protocol.value());
        out.writeByte(spi.length);
        out.writeByte(transforms.size());
        out.writeBytes(spi);
        for (int i = 0; i < transforms.size(); i++) {
            transforms.get(i).encode(out, i == transforms.size() - 1);
        }
    }

    /** The transforms of one type, in order. */
    public List<Transform> transforms(TransformType type) {
        return transforms.stream().filter(t -> t.type().equals(type)).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Proposal p
                && p.number == number
                && p.protocol.equals(protocol)
                && Arrays.equals(p.spi, spi)
                && p.transforms.equals(transforms);
    }

    @Override
    public int hashCode() {
        return ((number * 31 + protocol.hashCode()) * 31 + Arrays.hashCode(spi)) * 31 + transforms.hashCode();
    }

    @Override
    public String toString() {
        String spiText = spi.length == 0 ? "" : " spi=" + Bytes.hex(spi);
        return "#" + number + " " + protocol + spiText + " " + transforms;
    }
}
