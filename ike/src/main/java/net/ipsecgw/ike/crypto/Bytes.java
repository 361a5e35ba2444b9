package net.ipsecgw.ike.crypto;

import java.util.Arrays;

/** Byte array helpers shared by the key derivations. Stateless. */
final class Bytes {
    private Bytes() {}

    /** The concatenation of {@code parts}, in order. */
    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }

    /** An IKE SPI as it appears in the header: 8 octets, network byte order. */
    static byte[] spi(long spi) {
        byte[] out = new byte[8];
        for (int i = 7; i >= 0; i--) {
            out[i] = (byte) spi;
            spi >>>= 8;
        }
        return out;
    }

    /** Overwrites {@code secrets} with zeros; null entries are skipped. */
    static void wipe(byte[]... secrets) {
        for (byte[] secret : secrets) {
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    /** Big-endian magnitude of {@code value} left-padded with zeros to exactly {@code length} octets. */
    static byte[] unsignedFixed(java.math.BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        if (raw.length == length) {
            return raw;
        }
        byte[] out = new byte[length];
        int skip = raw.length > length ? raw.length - length : 0;
        System.arraycopy(raw, skip, out, length - (raw.length - skip), raw.length - skip);
        return out;
    }
}
