package net.ipsecgw.ike.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Bounds-checked reads for the payload decoders, and hex for the payloads' {@code toString}. */
final class Bytes {
    static final byte[] EMPTY = new byte[0];
    private static final HexFormat HEX = HexFormat.of();

    private Bytes() {}

    /** Fails with a syntax error unless {@code n} bytes are readable. */
    static void need(ByteBuf in, int n, String what) throws DecodeFailure {
        if (in.readableBytes() < n) {
            throw DecodeFailure.syntax(what + ": needs " + n + " bytes, has " + in.readableBytes());
        }
    }

    /** Reads {@code n} bytes into a new array, failing with a syntax error if fewer remain. */
    static byte[] read(ByteBuf in, int n, String what) throws DecodeFailure {
        need(in, n, what);
        byte[] bytes = new byte[n];
        in.readBytes(bytes);
        return bytes;
    }

    /** Reads everything readable into a new array. */
    static byte[] rest(ByteBuf in) {
        byte[] bytes = new byte[in.readableBytes()];
        in.readBytes(bytes);
        return bytes;
    }

    /** Fails with a syntax error if bytes are left over after a structure. */
    static void end(ByteBuf in, String what) throws DecodeFailure {
        if (in.isReadable()) {
            throw DecodeFailure.syntax(what + ": " + in.readableBytes() + " bytes left over");
        }
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    static int hash(List<byte[]> list) {
        int h = 1;
        for (byte[] b : list) {
            h = 31 * h + Arrays.hashCode(b);
        }
        return h;
    }

    static boolean equal(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
