package net.ipsecgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Port4500DemuxTest {
    /** An IKE_SA_INIT header (RFC 7296 §3.1) with made-up SPI; only its length matters here. */
    private static final String IKE_HEADER =
            "0123456789abcdef" + "0000000000000000" + "21202208" + "00000000" + "0000001c";

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
    }

    private static Port4500Verdict classify(String hex) {
        ByteBuf buf = hex(hex);
        int reader = buf.readerIndex();
        int writer = buf.writerIndex();
        Port4500Verdict verdict = Port4500Demux.classify(buf);
        assertEquals(reader, buf.readerIndex(), "classify must not consume");
        assertEquals(writer, buf.writerIndex(), "classify must not write");
        return verdict;
    }

    @Test
    void singleFfOctetIsKeepalive() {
        assertEquals(Port4500Verdict.KEEPALIVE, classify("ff"));
        assertFalse(Port4500Verdict.KEEPALIVE.isDrop());
        assertNull(Port4500Verdict.KEEPALIVE.dropReason());
    }

    @Test
    void singleOctetOtherThanFfIsBadKeepalive() {
        assertEquals(Port4500Verdict.DROP_BAD_KEEPALIVE, classify("00"));
        assertEquals(Port4500Verdict.DROP_BAD_KEEPALIVE, classify("fe"));
        assertEquals(DropReason.BAD_KEEPALIVE, Port4500Verdict.DROP_BAD_KEEPALIVE.dropReason());
    }

    @Test
    void emptyPayloadIsDropped() {
        assertEquals(Port4500Verdict.DROP_EMPTY, classify(""));
    }

    @Test
    void twoOrThreeOctetsAreTooShortForAnSpi() {
        assertEquals(Port4500Verdict.DROP_TRUNCATED_SPI, classify("ffff"));
        assertEquals(Port4500Verdict.DROP_TRUNCATED_SPI, classify("000000"));
    }

    @Test
    void nonEspMarkerFollowedByIkeHeaderIsIke() {
        assertEquals(Port4500Verdict.IKE, classify("00000000" + IKE_HEADER));
        assertEquals(Port4500Verdict.IKE, classify("00000000" + IKE_HEADER + "deadbeef"));
    }

    @Test
    void everyTruncationOfAnIkeHeaderIsDropped() {
        String full = "00000000" + IKE_HEADER;
        for (int octets = 4; octets < full.length() / 2; octets++) {
            assertEquals(
                    Port4500Verdict.DROP_TRUNCATED_IKE, classify(full.substring(0, 2 * octets)), "length " + octets);
        }
    }

    @Test
    void nonZeroSpiWithSequenceNumberIsEsp() {
        assertEquals(Port4500Verdict.ESP, classify("00000100" + "00000001"));
        assertEquals(Port4500Verdict.ESP, classify("ffffffff" + "00000001" + "cafe"));
        assertEquals(Port4500Verdict.ESP, classify("80000000" + "00000000"));
    }

    @Test
    void espWithoutFullSequenceNumberIsTruncated() {
        for (int octets = 4; octets < 8; octets++) {
            String hex = "12345678abcdef01".substring(0, 2 * octets);
            assertEquals(Port4500Verdict.DROP_TRUNCATED_ESP, classify(hex), "length " + octets);
        }
    }

    @Test
    void reservedSpisAreDropped() {
        assertEquals(Port4500Verdict.DROP_RESERVED_SPI, classify("00000001" + "00000001"));
        assertEquals(Port4500Verdict.DROP_RESERVED_SPI, classify("000000ff" + "00000001"));
        assertEquals(DropReason.RESERVED_SPI, Port4500Verdict.DROP_RESERVED_SPI.dropReason());
    }

    @Test
    void classifiesFromTheReaderIndexNotTheBufferStart() {
        ByteBuf buf = hex("00000000" + "ff");
        buf.skipBytes(4);
        assertEquals(Port4500Verdict.KEEPALIVE, Port4500Demux.classify(buf));
        ByteBuf esp = hex("ff" + "00001000" + "00000002");
        esp.skipBytes(1);
        assertEquals(Port4500Verdict.ESP, Port4500Demux.classify(esp));
        assertEquals(0x1000, Port4500Demux.spi(esp));
    }

    @Test
    void everyDropVerdictNamesItsReasonAndOnlyThose() {
        for (Port4500Verdict verdict : Port4500Verdict.values()) {
            assertEquals(verdict.name().startsWith("DROP_"), verdict.isDrop(), verdict.name());
            if (verdict.isDrop()) {
                assertEquals("DROP_" + verdict.dropReason().name(), verdict.name());
            }
        }
    }

    @Test
    void prependsTheMarkerInPlaceInTheHeadroom() {
        ByteBuf buf = Unpooled.buffer(64);
        buf.writeInt(0xAAAAAAAA); // headroom left over from a previous use: must be overwritten
        buf.writeBytes(HexFormat.of().parseHex(IKE_HEADER));
        buf.readerIndex(4);
        byte[] backing = buf.array();

        Port4500Demux.prependNonEspMarker(buf);

        assertEquals(0, buf.readerIndex());
        assertTrue(backing == buf.array(), "no copy");
        assertEquals("00000000" + IKE_HEADER, ByteBufUtil.hexDump(buf));
        assertEquals(Port4500Verdict.IKE, Port4500Demux.classify(buf));
        Port4500Demux.skipNonEspMarker(buf);
        assertEquals(IKE_HEADER, ByteBufUtil.hexDump(buf));
    }

    @Test
    void refusesToPrependWithoutHeadroom() {
        ByteBuf buf = hex("00" + IKE_HEADER);
        buf.skipBytes(1);
        assertThrows(IllegalArgumentException.class, () -> Port4500Demux.prependNonEspMarker(buf));
        assertEquals(1, buf.readerIndex());
    }

    @Test
    void classifyingAllocatesNothing() {
        ByteBuf[] samples = {hex("ff"), hex("00000000" + IKE_HEADER), hex("0000100000000001"), hex("0102")};
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        int sink = 0;
        for (int i = 0; i < 200_000; i++) { // warm up so the measurement sees compiled code
            sink += Port4500Demux.classify(samples[i & 3]).ordinal();
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 1_000_000; i++) {
            sink += Port4500Demux.classify(samples[i & 3]).ordinal();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(sink > 0);
        // A per-call allocation would show as >= 16 MB here; the allowance covers the MXBean's own call.
        assertTrue(allocated < 4096, "classify allocated " + allocated + " bytes over 1M calls");
    }
}
