package org.sparktrain.worker.sync;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts and authenticates a byte stream with AES-256-GCM in records of at most
 * {@link #RECORD_BYTES} plain bytes, as TLS does: each record is its ciphertext length (4 bytes,
 * also authenticated), then the ciphertext with its 16-byte tag. The IV is the record's
 * sequence number, so a record can be neither replayed, reordered nor dropped without the
 * reader noticing; each direction of a link has its own key, so the two never share an IV.
 */
final class SealedOutputStream extends OutputStream {
  static final int RECORD_BYTES = 256 * 1024;
  static final int TAG_BYTES = 16;
  static final int IV_BYTES = 12;

  private final DataOutputStream out;
  private final Cipher cipher;
  private final javax.crypto.spec.SecretKeySpec key;
  private final byte[] plain = new byte[RECORD_BYTES];
  private final byte[] sealed = new byte[RECORD_BYTES + TAG_BYTES];
  private final byte[] iv = new byte[IV_BYTES];
  private final byte[] aad = new byte[Integer.BYTES];
  private int filled;
  private long sequence;

  SealedOutputStream(OutputStream out, byte[] keyBytes) throws IOException {
    this.out = new DataOutputStream(out);
    try {
      this.key = LinkSecurity.aesKey(keyBytes);
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IOException("AES-GCM is not available in this JVM: " + e.getMessage(), e);
    }
  }

  @Override
  public void write(int b) throws IOException {
    if (filled == RECORD_BYTES) {
      seal();
    }
    plain[filled++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (filled == RECORD_BYTES) {
        seal();
      }
      int n = Math.min(len, RECORD_BYTES - filled);
      System.arraycopy(b, off, plain, filled, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  @Override
  public void flush() throws IOException {
    if (filled > 0) {
      seal();
    }
    out.flush();
  }

  private void seal() throws IOException {
    int sealedLength = filled + TAG_BYTES;
    ivFor(sequence++, iv);
    aad(sealedLength, aad);
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, iv));
      cipher.updateAAD(aad);
      int n = cipher.doFinal(plain, 0, filled, sealed, 0);
      out.writeInt(n);
      out.write(sealed, 0, n);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot encrypt a synchronization record: " + e.getMessage(), e);
    }
    filled = 0;
  }

  static void ivFor(long sequence, byte[] iv) {
    for (int i = 0; i < Long.BYTES; i++) {
      iv[IV_BYTES - 1 - i] = (byte) (sequence >>> (8 * i));
    }
  }

  static void aad(int sealedLength, byte[] aad) {
    for (int i = 0; i < Integer.BYTES; i++) {
      aad[Integer.BYTES - 1 - i] = (byte) (sealedLength >>> (8 * i));
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
