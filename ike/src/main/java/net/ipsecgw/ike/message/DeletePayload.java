package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Delete payload (RFC 7296 §3.11): deletes the IKE SA (no SPIs) or Child SAs (their inbound SPIs).
 *
 * <pre>
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * ~               Security Parameter Index(es) (SPI)              ~
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The SPIs must fill the body exactly (Num of SPIs times SPI Size).
 *
 * @param protocol IKE, AH or ESP
 * @param spiSize bytes per SPI: 0 for IKE, 4 for ESP and AH
 * @param spis the SPIs, each {@code spiSize} bytes
 */
public record DeletePayload(ProtocolId protocol, int spiSize, List<byte[]> spis) implements IkePayload {
    private static final int FIXED = 4;

    public DeletePayload {
        spis = List.copyOf(spis);
        if (spiSize < 0 || spiSize > 255 || spis.size() > 0xffff) {
            throw new IllegalArgumentException("SPI size or count out of range");
        }
        for (byte[] spi : spis) {
            if (spi.length != spiSize) {
                throw new IllegalArgumentException("SPI of " + spi.length + " bytes, size says " + spiSize);
            }
        }
    }

    /** Deletes the IKE SA the message is sent on. */
    public static DeletePayload ikeSa() {
        return new DeletePayload(ProtocolId.IKE, 0, List.of());
    }

    /** Deletes ESP Child SAs by the sender's inbound SPIs. */
    public static DeletePayload esp(int... spis) {
        List<byte[]> bytes = new ArrayList<>(spis.length);
        for (int spi : spis) {
            bytes.add(new byte[] {(byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi});
        }
        return new DeletePayload(ProtocolId.ESP, 4, bytes);
    }

    /** The SPIs as 32-bit numbers; throws unless the SPI size is 4 (ESP, AH). */
    public int[] spisAsInts() {
        if (spiSize != 4) {
            throw new IllegalStateException("SPI size is " + spiSize + ", not 4");
        }
        int[] values = new int[spis.size()];
        for (int i = 0; i < values.length; i++) {
            byte[] s = spis.get(i);
            values[i] = (s[0] & 0xff) << 24 | (s[1] & 0xff) << 16 | (s[2] & 0xff) << 8 | s[3] & 0xff;
        }
        return values;
    }

    static DeletePayload decode(ByteBuf body) throws DecodeFailure {
        Bytes.need(body, FIXED, "delete payload");
        ProtocolId protocol = ProtocolId.valueOf(body.readUnsignedByte());
        int spiSize = body.readUnsignedByte();
        int count = body.readUnsignedShort();
        if (body.readableBytes() != spiSize * count) {
            throw DecodeFailure.syntax(count + " SPIs of " + spiSize + " bytes in " + body.readableBytes());
        }
        List<byte[]> spis = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            spis.add(Bytes.read(body, spiSize, "delete SPI"));
        }
        return new DeletePayload(protocol, spiSize, spis);
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeByte(protocol.value());
        out.writeByte(spiSize);
        out.writeShort(spis.size());
        for (byte[] spi : spis) {
            out.writeBytes(spi);
        }
    }

    @Override
    public int bodyLength() {
        return FIXED + spiSize * spis.size();
    }

    @Override
    public PayloadType type() {
        return PayloadType.DELETE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeletePayload p
                && p.protocol.equals(protocol)
                && p.spiSize == spiSize
                && Bytes.equal(p.spis, spis);
    }

    @Override
    public int hashCode() {
        return (protocol.hashCode() * 31 + spiSize) * 31 + Bytes.hash(spis);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("D[").append(protocol);
        for (byte[] spi : spis) {
            text.append(' ').append(Bytes.hex(spi));
        }
        return text.append(']').toString();
    }
}
