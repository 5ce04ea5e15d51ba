package org.sparktrain.worker.sync;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

/**
 * Encrypts and authenticates a byte stream with AES-256-GCM in records of at most
 * {@link #RECORD_BYTES} plain bytes, as TLS does: each record is its sealed length (4 bytes,
 * also authenticated), then the ciphertext with its 16-byte tag ({@link RecordCipher}).
 */
final class SealedOutputStream extends OutputStream {
  static final int RECORD_BYTES = 256 * 1024;

  private final DataOutputStream out;
  private final RecordCipher cipher;
  private final byte[] plain = new byte[RECORD_BYTES];
  private final byte[] sealed = new byte[RECORD_BYTES + RecordCipher.TAG_BYTES];
  private int filled;
  private long sequence;

  SealedOutputStream(OutputStream out, byte[] keyBytes) throws IOException {
    this.out = new DataOutputStream(out);
    this.cipher = new RecordCipher(keyBytes);
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
    try {
      int n = cipher.seal(sequence++, plain, filled, sealed);
      out.writeInt(n);
      out.write(sealed, 0, n);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot encrypt a synchronization record: " + e.getMessage(), e);
    }
    filled = 0;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
