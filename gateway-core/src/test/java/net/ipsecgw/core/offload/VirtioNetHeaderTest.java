package net.ipsecgw.core.offload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class VirtioNetHeaderTest {
    /** NEEDS_CSUM, TCPV4|ECN, hdr_len 66, gso_size 1448, csum_start 20, csum_offset 16, little-endian. */
    private static final byte[] TSO4 = ByteBufUtil.decodeHexDump("01814200a8051400" + "1000");

    @Test
    void decodesLittleEndianFieldsAtAnOffset() {
        ByteBuf buf = Unpooled.buffer()
                .writeBytes(new byte[] {(byte) 0xee, (byte) 0xee})
                .writeBytes(TSO4);
        VirtioNetHeader h = new VirtioNetHeader().decode(buf, 2);
        assertEquals(1, h.flags());
        assertTrue(h.needsChecksum());
        assertEquals(0x81, h.gsoType());
        assertEquals(VirtioNetHeader.GSO_TCPV4, h.gsoProtocol());
        assertTrue(h.ecn());
        assertEquals(66, h.hdrLen());
        assertEquals(1448, h.gsoSize());
        assertEquals(20, h.csumStart());
        assertEquals(16, h.csumOffset());
        assertEquals(0, buf.readerIndex(), "indexes do not move");
    }

    @Test
    void encodesTheSameBytesItDecodes() {
        VirtioNetHeader h = new VirtioNetHeader().set(1, 0x81, 66, 1448, 20, 16);
        ByteBuf out = Unpooled.buffer(12).writeZero(12);
        h.encode(out, 1);
        byte[] written = new byte[10];
        out.getBytes(1, written);
        assertArrayEquals(TSO4, written);
        assertEquals(0, out.getByte(0));
        assertEquals(0, out.getByte(11));
    }

    @Test
    void largeValuesUseAllSixteenBits() {
        ByteBuf out = Unpooled.buffer(10).writeZero(10);
        new VirtioNetHeader()
                .set(0, VirtioNetHeader.GSO_TCPV6, 0xfedc, 0xffff, 0x8001, 6)
                .encode(out, 0);
        assertEquals("0004dcfeffff01800600", ByteBufUtil.hexDump(out));
        VirtioNetHeader back = new VirtioNetHeader().decode(out, 0);
        assertEquals(0xfedc, back.hdrLen());
        assertEquals(0xffff, back.gsoSize());
        assertEquals(0x8001, back.csumStart());
        assertFalse(back.needsChecksum());
        assertFalse(back.ecn());
        assertEquals(VirtioNetHeader.GSO_TCPV6, back.gsoProtocol());
    }

    @Test
    void clearMakesAPlainCompletePacketHeader() {
        ByteBuf out = Unpooled.buffer(10).writeBytes(TSO4);
        new VirtioNetHeader().decode(out, 0).clear().encode(out, 0);
        assertEquals("00000000000000000000", ByteBufUtil.hexDump(out));
    }

    @Test
    void aShortBufferIsRejected() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[9]);
        assertThrows(IndexOutOfBoundsException.class, () -> new VirtioNetHeader().decode(buf, 0));
    }

    @Test
    void constantsMatchTheKernelHeader() {
        assertEquals(10, VirtioNetHeader.SIZE);
        assertEquals(1, VirtioNetHeader.FLAG_NEEDS_CSUM);
        assertEquals(2, VirtioNetHeader.FLAG_DATA_VALID);
        assertEquals(0, VirtioNetHeader.GSO_NONE);
        assertEquals(1, VirtioNetHeader.GSO_TCPV4);
        assertEquals(3, VirtioNetHeader.GSO_UDP);
        assertEquals(4, VirtioNetHeader.GSO_TCPV6);
        assertEquals(5, VirtioNetHeader.GSO_UDP_L4);
        assertEquals(0x80, VirtioNetHeader.GSO_ECN);
    }
}
