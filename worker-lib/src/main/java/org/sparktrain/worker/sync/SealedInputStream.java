package org.sparktrain.worker.sync;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;

/**
 * Reads what a {@link SealedOutputStream} wrote: checks each record's length against the
 * largest record before allocating or reading it, and hands out no byte of a record whose
 * authentication tag does not verify (a corrupted, forged, replayed or reordered record).
 */
final class SealedInputStream extends InputStream {
  private static final int MAX_SEALED = SealedOutputStream.RECORD_BYTES
      + RecordCipher.TAG_BYTES;

  private final DataInputStream in;
  private final RecordCipher cipher;
  private final byte[] sealed = new byte[MAX_SEALED];
  private final byte[] plain = new byte[SealedOutputStream.RECORD_BYTES];
  private int position;
  private int available;
  private long sequence;

  SealedInputStream(InputStream in, byte[] keyBytes) throws IOException {
    this.in = new DataInputStream(in);
    this.cipher = new RecordCipher(keyBytes);
  }

  @Override
  public int read() throws IOException {
    if (!fill()) {
      return -1;
    }
    return plain[position++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, available - position);
    System.arraycopy(plain, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public int available() {
    return available - position;
  }

  /** Opens the next record when this one is used up; false at the end of the stream. */
  private boolean fill() throws IOException {
    while (position == available) {
      int length;
      try {
        length = in.readInt();
      } catch (EOFException e) {
        return false;
      }
      if (length < RecordCipher.TAG_BYTES || length > MAX_SEALED) {
        throw new IOException("encrypted record " + sequence + " claims " + length
            + " bytes; allowed are " + RecordCipher.TAG_BYTES + " to " + MAX_SEALED
            + " (corrupted, or not a sparktrain peer)");
      }
      in.readFully(sealed, 0, length);
      try {
        available = cipher.open(sequence, sealed, length, plain);
      } catch (AEADBadTagException e) {
        throw new IOException("encrypted record " + sequence + " failed authentication: it was "
            + "corrupted in transit, replayed, reordered or forged");
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot decrypt record " + sequence + ": " + e.getMessage(), e);
      }
      sequence++;
      position = 0;
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
