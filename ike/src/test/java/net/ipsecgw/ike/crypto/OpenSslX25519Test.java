package net.ipsecgw.ike.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** OpenSSL's X25519 through FFM against the RFC and against the JDK's XDH. */
class OpenSslX25519Test {

    @Test
    void libcryptoIsLoadedOnThisMachine() {
        assertTrue(OpenSslX25519.available(), "libcrypto.so.3 (Debian package libssl3) must be loadable");
    }

    @Test
    void rfc7748FirstTestVector() {
        // RFC 7748 §5.2, first X25519 test vector
        byte[] scalar = HexFormat.of().parseHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        byte[] u = HexFormat.of().parseHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        byte[] expected = HexFormat.of().parseHex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        assertArrayEquals(expected, OpenSslX25519.x25519(scalar, u));
    }

    @Test
    void agreesWithTheJdkOnRandomInputs() throws Exception {
        Random random = new Random(7748);
        for (int i = 0; i < 200; i++) {
            byte[] scalar = new byte[32];
            byte[] u = new byte[32];
            random.nextBytes(scalar);
            random.nextBytes(u);
            X25519KeyExchange exchange = new X25519KeyExchange(scalar);
            assertArrayEquals(exchange.jdkX25519(u), OpenSslX25519.x25519(scalar, u), "input " + i);
        }
    }

    @Test
    void lowOrderPointIsRefused() {
        byte[] scalar = new byte[32];
        new Random(1).nextBytes(scalar);
        byte[] zero = new byte[32]; // u = 0 is of low order: the result is all zeros
        assertNull(OpenSslX25519.x25519(scalar, zero));
        assertThrows(InvalidPublicValueException.class, () -> new X25519KeyExchange(scalar).sharedSecret(zero));
    }
}
