package net.ipsecgw.esp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;

/** Builders of inner packets, buffers with room for ESP, and SA pairs for the tests. */
final class EspPackets {
    static final int SPI = 0x1234_5678;

    private EspPackets() {}

    /** A random IPv4 (or IPv6) packet of {@code length} bytes (at least the header) with a valid header. */
    static byte[] innerPacket(Random random, int length, boolean ipv6) {
        byte[] packet = new byte[length];
        random.nextBytes(packet);
        if (ipv6) {
            packet[0] = 0x60;
            packet[4] = (byte) ((length - 40) >>> 8);
            packet[5] = (byte) (length - 40);
        } else {
            packet[0] = 0x45;
            packet[2] = (byte) (length >>> 8);
            packet[3] = (byte) length;
        }
        return packet;
    }

    /** A heap buffer holding {@code inner} with exactly the headroom and tailroom ESP needs. */
    static ByteBuf withRoom(byte[] inner) {
        ByteBuf buf = Unpooled.buffer(EspSa.HEADROOM + inner.length + EspSa.TAILROOM);
        buf.writerIndex(EspSa.HEADROOM).readerIndex(EspSa.HEADROOM);
        return buf.writeBytes(inner);
    }

    /** A direct buffer holding {@code inner} with the headroom and tailroom ESP needs. */
    static ByteBuf directWithRoom(byte[] inner) {
        ByteBuf buf = Unpooled.directBuffer(EspSa.HEADROOM + inner.length + EspSa.TAILROOM);
        buf.writerIndex(EspSa.HEADROOM).readerIndex(EspSa.HEADROOM);
        return buf.writeBytes(inner);
    }

    static KeyMaterial keys(EspCipherSuite suite, long seed) {
        byte[] material = new byte[suite.keyMaterialLength()];
        new Random(seed).nextBytes(material);
        return KeyMaterial.of(material);
    }

    static SaParameters parameters(EspCipherSuite suite, boolean esn) {
        return SaParameters.of(SPI, suite, keys(suite, 42), esn);
    }

    static OutboundSa outbound(SaParameters parameters) {
        return new OutboundSa(parameters, LifetimeListener.NONE, 0);
    }

    static InboundSa inbound(SaParameters parameters) {
        return new InboundSa(parameters, LifetimeListener.NONE, 0);
    }

    static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }
}
