package org.sparktrain.worker.privacy;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A deterministic, cryptographically strong stream of random bits: the AES-256-CTR keystream
 * (NIST SP 800-38A) of a 256-bit key, read as 64-bit words.
 *
 * <p>Why not the JDK's generators: {@code java.util.Random} and {@code SplittableRandom} are
 * predictable from a few outputs, so an adversary who could estimate some noise values could
 * reconstruct and subtract the rest, and DP-SGD's guarantee would be void. {@code SecureRandom}
 * is unpredictable but not reproducible: {@code DRBG} mixes in a nonce and system entropy, and a
 * seeded {@code SHA1PRNG} is deterministic only by accident of the SUN provider's implementation,
 * not by specification. AES-CTR is both: strong (its output is indistinguishable from random
 * without the key) and fully specified, so every JVM, and a retried task, gets the same bits.
 *
 * <p>Each key must be used for one stream only (the counter starts at zero); {@link
 * PrivacySecret} derives a fresh key per (round, step, partition).
 */
final class Keystream {
  private static final int KEY_BYTES = 32;
  private static final int AES_BLOCK_BYTES = 16;
  private static final int BUFFER_BYTES = 4096;

  private final Cipher cipher;
  private final byte[] zeros = new byte[BUFFER_BYTES];
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);

  Keystream(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("an AES-256 key has " + KEY_BYTES + " bytes, got "
          + key.length);
    }
    try {
      cipher = Cipher.getInstance("AES/CTR/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
          new IvParameterSpec(new byte[AES_BLOCK_BYTES]));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM offers no AES/CTR/NoPadding, which every Java "
          + "SE implementation must", e);
    }
    buffer.position(BUFFER_BYTES);
  }

  /** The next 64 bits of the keystream (big-endian). */
  long nextLong() {
    if (buffer.remaining() < Long.BYTES) {
      refill();
    }
    return buffer.getLong();
  }

  /** A uniform double in [0, 1) from the next 53 bits: every value a multiple of 2^-53. */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  private void refill() {
    // Encrypting zeros in CTR mode yields the keystream itself.
    byte[] block = cipher.update(zeros);
    if (block == null || block.length != BUFFER_BYTES) {
      throw new IllegalStateException("AES-CTR returned " + (block == null ? 0 : block.length)
          + " bytes for " + BUFFER_BYTES);
    }
    buffer.clear();
    buffer.put(block);
    buffer.flip();
  }
}
