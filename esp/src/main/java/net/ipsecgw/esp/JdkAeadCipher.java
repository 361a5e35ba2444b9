package net.ipsecgw.esp;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link AeadCipher} on the JDK's own providers, whose AES-GCM and ChaCha20-Poly1305 use the CPU's
 * AES-NI/CLMUL/AVX intrinsics. Works fastest on heap buffers ({@link ByteBuf#hasArray()}): the
 * intrinsics then run straight on the array. Direct buffers go through {@link ByteBuffer} views,
 * which the JDK handles markedly slower (measured in docs/BENCHMARKS.md).
 *
 * <p>The JDK re-initialises its cipher for every nonce and allocates a few small objects in doing so;
 * this class itself keeps its scratch nonce per instance. Not thread-safe: owned by one SA.
 */
final class JdkAeadCipher implements AeadCipher {
    private static final int TAG_BITS = EspCipherSuite.ICV_LENGTH * 8;

    private final EspCipherSuite suite;
    private final SecretKeySpec key;
    private final byte[] salt;
    private final byte[] nonce = new byte[12];
    private final Cipher cipher;

    JdkAeadCipher(EspCipherSuite suite, KeyMaterial material) {
        material.checkFor(suite);
        this.suite = suite;
        this.key = new SecretKeySpec(material.key(), suite.keyAlgorithm());
        this.salt = material.salt();
        try {
            this.cipher = Cipher.getInstance(suite.jdkTransformation());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks " + suite.jdkTransformation(), e);
        }
    }

    @Override
    public void seal(ByteBuf buf, int index, int length, long iv, byte[] aad, int aadLength) {
        try {
            init(Cipher.ENCRYPT_MODE, iv, aad, aadLength);
            if (buf.hasArray()) {
                int offset = buf.arrayOffset() + index;
                cipher.doFinal(buf.array(), offset, length, buf.array(), offset);
            } else {
                ByteBuffer view = buf.nioBuffer(index, length + EspCipherSuite.ICV_LENGTH);
                ByteBuffer in = view.duplicate().limit(length);
                cipher.doFinal(in, view);
            }
        } catch (GeneralSecurityException e) {
            // Only a broken JDK or a caller that ignored the capacity contract gets here.
            throw new IllegalStateException(suite + " encryption failed", e);
        }
    }

    @Override
    public boolean open(ByteBuf buf, int index, int length, long iv, byte[] aad, int aadLength) {
        int sealed = length + EspCipherSuite.ICV_LENGTH;
        try {
            init(Cipher.DECRYPT_MODE, iv, aad, aadLength);
            if (buf.hasArray()) {
                int offset = buf.arrayOffset() + index;
                cipher.doFinal(buf.array(), offset, sealed, buf.array(), offset);
            } else {
                ByteBuffer view = buf.nioBuffer(index, sealed);
                cipher.doFinal(view.duplicate(), view);
            }
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite + " decryption failed", e);
        }
    }

    private void init(int mode, long iv, byte[] aad, int aadLength) throws GeneralSecurityException {
        AeadCipher.nonce(nonce, salt, iv);
        AlgorithmParameterSpec spec = suite == EspCipherSuite.CHACHA20_POLY1305
                ? new IvParameterSpec(nonce)
                : new GCMParameterSpec(TAG_BITS, nonce);
        cipher.init(mode, key, spec);
        cipher.updateAAD(aad, 0, aadLength);
    }
}
