package net.ipsecgw.ike.crypto;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * X25519 (RFC 7748 §5) computed by OpenSSL 3's libcrypto through the JDK's FFM API: about ten times
 * faster than the JDK's XDH, which matters for a responder's IKE SA setup rate (two scalar
 * multiplications per IKE SA). {@link #available()} is false when libcrypto.so.3 cannot be loaded;
 * {@link X25519KeyExchange} then uses the JDK. Stateless; safe from any thread.
 */
final class OpenSslX25519 {
    /** NID_X25519, the EVP_PKEY type of X25519 keys. */
    private static final int EVP_PKEY_X25519 = 1034;

    private static final ValueLayout.OfLong P = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final Functions FUNCTIONS = Functions.load();

    private OpenSslX25519() {}

    /** True when libcrypto.so.3 was loaded with every function needed. */
    static boolean available() {
        return FUNCTIONS != null;
    }

    /**
     * X25519(scalar, u): the 32-octet result, or null when OpenSSL refuses (a low-order point gives
     * an all-zero result, which OpenSSL reports as an error).
     */
    static byte[] x25519(byte[] scalar, byte[] u) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment priv = arena.allocateFrom(ValueLayout.JAVA_BYTE, scalar);
            MemorySegment pub = arena.allocateFrom(ValueLayout.JAVA_BYTE, u);
            long ours = (long) FUNCTIONS.newRawPrivate.invokeExact(EVP_PKEY_X25519, 0L, priv.address(), 32L);
            priv.fill((byte) 0);
            long theirs = (long) FUNCTIONS.newRawPublic.invokeExact(EVP_PKEY_X25519, 0L, pub.address(), 32L);
            try {
                return ours == 0 || theirs == 0 ? null : derive(arena, ours, theirs);
            } finally {
                FUNCTIONS.free(ours);
                FUNCTIONS.free(theirs);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("OpenSSL X25519 failed", t);
        }
    }

    private static byte[] derive(Arena arena, long ours, long theirs) throws Throwable {
        long ctx = (long) FUNCTIONS.ctxNew.invokeExact(ours, 0L);
        if (ctx == 0) {
            throw new OutOfMemoryError("EVP_PKEY_CTX_new failed");
        }
        try {
            MemorySegment out = arena.allocate(32);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_LONG);
            length.set(ValueLayout.JAVA_LONG, 0, 32);
            if ((int) FUNCTIONS.deriveInit.invokeExact(ctx) <= 0
                    || (int) FUNCTIONS.deriveSetPeer.invokeExact(ctx, theirs) <= 0
                    || (int) FUNCTIONS.derive.invokeExact(ctx, out.address(), length.address()) <= 0
                    || length.get(ValueLayout.JAVA_LONG, 0) != 32) {
                return null;
            }
            byte[] secret = out.toArray(ValueLayout.JAVA_BYTE);
            out.fill((byte) 0);
            return secret;
        } finally {
            FUNCTIONS.ctxFree.invokeExact(ctx);
        }
    }

    /** The bound libcrypto functions. */
    private record Functions(
            MethodHandle newRawPrivate,
            MethodHandle newRawPublic,
            MethodHandle pkeyFree,
            MethodHandle ctxNew,
            MethodHandle ctxFree,
            MethodHandle deriveInit,
            MethodHandle deriveSetPeer,
            MethodHandle derive) {

        static Functions load() {
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
                Linker linker = Linker.nativeLinker();
                return new Functions(
                        bind(lib, linker, "EVP_PKEY_new_raw_private_key", FunctionDescriptor.of(P, I, P, P, P)),
                        bind(lib, linker, "EVP_PKEY_new_raw_public_key", FunctionDescriptor.of(P, I, P, P, P)),
                        bind(lib, linker, "EVP_PKEY_free", FunctionDescriptor.ofVoid(P)),
                        bind(lib, linker, "EVP_PKEY_CTX_new", FunctionDescriptor.of(P, P, P)),
                        bind(lib, linker, "EVP_PKEY_CTX_free", FunctionDescriptor.ofVoid(P)),
                        bind(lib, linker, "EVP_PKEY_derive_init", FunctionDescriptor.of(I, P)),
                        bind(lib, linker, "EVP_PKEY_derive_set_peer", FunctionDescriptor.of(I, P, P)),
                        bind(lib, linker, "EVP_PKEY_derive", FunctionDescriptor.of(I, P, P, P)));
            } catch (Throwable t) {
                return null; // no usable libcrypto: the JDK's XDH is used
            }
        }

        private static MethodHandle bind(SymbolLookup lib, Linker linker, String name, FunctionDescriptor descriptor) {
            MemorySegment symbol =
                    lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libcrypto has no " + name));
            return linker.downcallHandle(symbol, descriptor);
        }

        void free(long pkey) throws Throwable {
            if (pkey != 0) {
                pkeyFree.invokeExact(pkey);
            }
        }
    }
}
