package net.ipsecgw.esp;

import io.netty.buffer.ByteBuf;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;

/**
 * {@link AeadCipher} on the system's OpenSSL 3 libcrypto through the JDK's FFM API: one
 * {@code EVP_CIPHER_CTX} keyed once per SA, and per packet only a new nonce, the AAD, the in-place
 * update and the tag. It encrypts native memory where it lies, which is where Netty's native transports
 * put received datagrams, and allocates nothing per packet.
 *
 * <p>Pointers are passed to the C functions as 64-bit integers (identical to pointers in the x86-64
 * and AArch64 calling conventions), so that a direct buffer's address needs no {@link MemorySegment}
 * object per call. Heap buffers are passed as heap segments to critical downcalls, which the JDK pins
 * for the duration of the call.
 *
 * <p>Not thread-safe: owned by one SA. The context is freed by {@link #close()} or, failing that, when
 * the cipher becomes unreachable.
 */
final class OpenSslAeadCipher implements AeadCipher, AutoCloseable {
    private static final int EVP_CTRL_AEAD_GET_TAG = 0x10;
    private static final int EVP_CTRL_AEAD_SET_TAG = 0x11;
    // Scratch layout: nonce (12 bytes), the int the update functions write their output length to, then
    // the AAD (ESP uses 8 or 12 bytes; up to 48 fit).
    private static final int NONCE = 0;
    private static final int OUT_LENGTH = 12;
    private static final int AAD = 16;
    private static final int SCRATCH = 64;
    private static final ValueLayout.OfLong BIG_ENDIAN_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final Cleaner CLEANER = Cleaner.create();

    private final MemorySegment scratch;
    private final long scratchAddress;
    private final long context;
    private final Cleaner.Cleanable cleanable;

    OpenSslAeadCipher(EspCipherSuite suite, KeyMaterial material) {
        material.checkFor(suite);
        Functions f = Functions.get();
        this.scratch = Arena.ofAuto().allocate(SCRATCH, 16);
        this.scratchAddress = scratch.address();
        MemorySegment.copy(material.salt(), 0, scratch, ValueLayout.JAVA_BYTE, NONCE, 4);
        this.context = f.newContext(suite, material.key());
        this.cleanable = CLEANER.register(this, new Free(context));
    }

    /** True when libcrypto.so.3 could be loaded and bound. */
    static boolean isAvailable() {
        return Functions.UNAVAILABILITY == null;
    }

    /** Why libcrypto cannot be used, or null when it can. */
    static Throwable unavailabilityCause() {
        return Functions.UNAVAILABILITY;
    }

    @Override
    public void seal(ByteBuf buf, int index, int length, long iv, byte[] aad, int aadLength) {
        Functions f = Functions.get();
        start(f, 1, iv, aad, aadLength);
        if (buf.hasMemoryAddress()) {
            long data = buf.memoryAddress() + index;
            f.check(f.updateNative(context, data, scratchAddress + OUT_LENGTH, data, length), "EVP_CipherUpdate");
            f.check(f.finalNative(context, data + length, scratchAddress + OUT_LENGTH), "EVP_CipherFinal_ex");
            f.check(f.ctrlNative(context, EVP_CTRL_AEAD_GET_TAG, EspCipherSuite.ICV_LENGTH, data + length), "tag");
        } else {
            MemorySegment data = heap(buf, index, length + EspCipherSuite.ICV_LENGTH);
            MemorySegment tag = data.asSlice(length);
            f.check(f.updateHeap(context, data, scratchAddress + OUT_LENGTH, data, length), "EVP_CipherUpdate");
            f.check(f.finalHeap(context, tag, scratchAddress + OUT_LENGTH), "EVP_CipherFinal_ex");
            f.check(f.ctrlHeap(context, EVP_CTRL_AEAD_GET_TAG, EspCipherSuite.ICV_LENGTH, tag), "tag");
        }
    }

    @Override
    public boolean open(ByteBuf buf, int index, int length, long iv, byte[] aad, int aadLength) {
        Functions f = Functions.get();
        start(f, 0, iv, aad, aadLength);
        if (buf.hasMemoryAddress()) {
            long data = buf.memoryAddress() + index;
            f.check(f.ctrlNative(context, EVP_CTRL_AEAD_SET_TAG, EspCipherSuite.ICV_LENGTH, data + length), "tag");
            f.check(f.updateNative(context, data, scratchAddress + OUT_LENGTH, data, length), "EVP_CipherUpdate");
            return f.finalNative(context, data + length, scratchAddress + OUT_LENGTH) > 0;
        }
        MemorySegment data = heap(buf, index, length + EspCipherSuite.ICV_LENGTH);
        MemorySegment tag = data.asSlice(length);
        f.check(f.ctrlHeap(context, EVP_CTRL_AEAD_SET_TAG, EspCipherSuite.ICV_LENGTH, tag), "tag");
        f.check(f.updateHeap(context, data, scratchAddress + OUT_LENGTH, data, length), "EVP_CipherUpdate");
        return f.finalHeap(context, tag, scratchAddress + OUT_LENGTH) > 0;
    }

    /** Sets the nonce (salt || IV) and direction, keeping the key schedule, then feeds the AAD. */
    private void start(Functions f, int encrypt, long iv, byte[] aad, int aadLength) {
        if (aadLength > SCRATCH - AAD) {
            throw new IllegalArgumentException("AAD of " + aadLength + " bytes exceeds " + (SCRATCH - AAD));
        }
        scratch.set(BIG_ENDIAN_LONG, NONCE + 4, iv);
        for (int i = 0; i < aadLength; i++) { // not MemorySegment.copy: that wraps the array in a new segment
            scratch.set(ValueLayout.JAVA_BYTE, AAD + i, aad[i]);
        }
        f.check(f.initNative(context, 0, 0, 0, scratchAddress + NONCE, encrypt), "EVP_CipherInit_ex");
        f.check(
                f.updateNative(context, 0, scratchAddress + OUT_LENGTH, scratchAddress + AAD, aadLength),
                "EVP_CipherUpdate(AAD)");
    }

    private static MemorySegment heap(ByteBuf buf, int index, int length) {
        return MemorySegment.ofArray(buf.array()).asSlice(buf.arrayOffset() + index, length);
    }

    @Override
    public void close() {
        cleanable.clean();
    }

    /** Frees the context; holds no reference to the cipher, so that the cipher can become unreachable. */
    private record Free(long context) implements Runnable {
        @Override
        public void run() {
            Functions.get().freeContext(context);
        }
    }

    /** The bound libcrypto functions, loaded once. */
    private static final class Functions {
        // Declared before the static initialiser below, which uses them.
        private static final ValueLayout.OfLong P = ValueLayout.JAVA_LONG;
        private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
        private static final ValueLayout A = ValueLayout.ADDRESS;

        static final Throwable UNAVAILABILITY;
        private static final Functions INSTANCE;

        static {
            Functions instance = null;
            Throwable cause = null;
            try {
                instance = new Functions(SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global()));
            } catch (Throwable t) {
                cause = t;
            }
            INSTANCE = instance;
            UNAVAILABILITY = cause;
        }

        private final SymbolLookup lib;
        private final Linker linker = Linker.nativeLinker();
        private final MethodHandle newCtx;
        private final MethodHandle freeCtx;
        private final MethodHandle init;
        private final MethodHandle updateNative;
        private final MethodHandle updateHeap;
        private final MethodHandle finalNative;
        private final MethodHandle finalHeap;
        private final MethodHandle ctrlNative;
        private final MethodHandle ctrlHeap;
        private final MethodHandle aes128Gcm;
        private final MethodHandle aes256Gcm;
        private final MethodHandle chacha20Poly1305;

        private Functions(SymbolLookup lib) {
            this.lib = lib;
            newCtx = bind("EVP_CIPHER_CTX_new", FunctionDescriptor.of(P), false);
            freeCtx = bind("EVP_CIPHER_CTX_free", FunctionDescriptor.ofVoid(P), false);
            init = bind("EVP_CipherInit_ex", FunctionDescriptor.of(I, P, P, P, P, P, I), false);
            updateNative = bind("EVP_CipherUpdate", FunctionDescriptor.of(I, P, P, P, P, I), false);
            updateHeap = bind("EVP_CipherUpdate", FunctionDescriptor.of(I, P, A, P, A, I), true);
            finalNative = bind("EVP_CipherFinal_ex", FunctionDescriptor.of(I, P, P, P), false);
            finalHeap = bind("EVP_CipherFinal_ex", FunctionDescriptor.of(I, P, A, P), true);
            ctrlNative = bind("EVP_CIPHER_CTX_ctrl", FunctionDescriptor.of(I, P, I, I, P), false);
            ctrlHeap = bind("EVP_CIPHER_CTX_ctrl", FunctionDescriptor.of(I, P, I, I, A), true);
            aes128Gcm = bind("EVP_aes_128_gcm", FunctionDescriptor.of(P), false);
            aes256Gcm = bind("EVP_aes_256_gcm", FunctionDescriptor.of(P), false);
            chacha20Poly1305 = bind("EVP_chacha20_poly1305", FunctionDescriptor.of(P), false);
        }

        static Functions get() {
            if (INSTANCE == null) {
                throw new IllegalStateException("OpenSSL libcrypto.so.3 is not usable", UNAVAILABILITY);
            }
            return INSTANCE;
        }

        private MethodHandle bind(String name, FunctionDescriptor descriptor, boolean heapAccess) {
            MemorySegment symbol =
                    lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libcrypto has no " + name));
            return linker.downcallHandle(symbol, descriptor, Linker.Option.critical(heapAccess));
        }

        long newContext(EspCipherSuite suite, byte[] key) {
            try (Arena arena = Arena.ofConfined()) {
                MethodHandle algorithm =
                        switch (suite) {
                            case AES_128_GCM_16 -> aes128Gcm;
                            case AES_256_GCM_16 -> aes256Gcm;
                            case CHACHA20_POLY1305 -> chacha20Poly1305;
                        };
                long cipher = (long) algorithm.invokeExact();
                long ctx = (long) newCtx.invokeExact();
                if (ctx == 0) {
                    throw new OutOfMemoryError("EVP_CIPHER_CTX_new failed");
                }
                MemorySegment keySegment = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
                int ok = (int) init.invokeExact(ctx, cipher, 0L, keySegment.address(), 0L, 1);
                keySegment.fill((byte) 0);
                check(ok, "EVP_CipherInit_ex(key)");
                return ctx;
            } catch (Error | RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        void freeContext(long ctx) {
            try {
                freeCtx.invokeExact(ctx);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        void check(int result, String what) {
            if (result <= 0) {
                throw new IllegalStateException(what + " failed in libcrypto");
            }
        }

        int initNative(long ctx, long cipher, long engine, long key, long iv, int enc) {
            try {
                return (int) init.invokeExact(ctx, cipher, engine, key, iv, enc);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        int updateNative(long ctx, long out, long outLength, long in, int inLength) {
            try {
                return (int) updateNative.invokeExact(ctx, out, outLength, in, inLength);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        int updateHeap(long ctx, MemorySegment out, long outLength, MemorySegment in, int inLength) {
            try {
                return (int) updateHeap.invokeExact(ctx, out, outLength, in, inLength);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        int finalNative(long ctx, long out, long outLength) {
            try {
                return (int) finalNative.invokeExact(ctx, out, outLength);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        int finalHeap(long ctx, MemorySegment out, long outLength) {
            try {
                return (int) finalHeap.invokeExact(ctx, out, outLength);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        int ctrlNative(long ctx, int type, int arg, long ptr) {
            try {
                return (int) ctrlNative.invokeExact(ctx, type, arg, ptr);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        int ctrlHeap(long ctx, int type, int arg, MemorySegment ptr) {
            try {
                return (int) ctrlHeap.invokeExact(ctx, type, arg, ptr);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
