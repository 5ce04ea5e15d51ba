package org.sparktrain.worker.sync;

import java.io.IOException;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for one direction of a link, record by record: record n is sealed with n as its
 * IV, and its sealed length is authenticated beside it. So a record can be neither replayed,
 * reordered nor dropped, nor its length changed, without the reader noticing. Each direction has
 * its own key, so the two never share an IV.
 */
final class RecordCipher {
  static final int TAG_BYTES = 16;
  private static final int IV_BYTES = 12;

  private final Cipher cipher;
  private final SecretKeySpec key;
  private final byte[] iv = new byte[IV_BYTES];
  private final byte[] aad = new byte[Integer.BYTES];

  RecordCipher(byte[] keyBytes) throws IOException {
    try {
      this.key = LinkSecurity.aesKey(keyBytes);
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IOException("AES-GCM is not available in this JVM: " + e.getMessage(), e);
    }
  }

  /** Seals {@code plain[0, length)} as record {@code sequence}; returns the sealed length. */
  int seal(long sequence, byte[] plain, int length, byte[] sealed)
      throws GeneralSecurityException {
    init(Cipher.ENCRYPT_MODE, sequence, length + TAG_BYTES);
    return cipher.doFinal(plain, 0, length, sealed, 0);
  }

  /**
   * Opens {@code sealed[0, length)} as record {@code sequence}; returns the plain length.
   *
   * @throws javax.crypto.AEADBadTagException when the record is not the one sealed there
   */
  int open(long sequence, byte[] sealed, int length, byte[] plain)
      throws GeneralSecurityException {
    init(Cipher.DECRYPT_MODE, sequence, length);
    return cipher.doFinal(sealed, 0, length, plain, 0);
  }

  private void init(int mode, long sequence, int sealedLength)
      throws GeneralSecurityException {
    for (int i = 0; i < Long.BYTES; i++) {
      iv[IV_BYTES - 1 - i] = (byte) (sequence >>> (8 * i));
    }
    for (int i = 0; i < Integer.BYTES; i++) {
      aad[Integer.BYTES - 1 - i] = (byte) (sealedLength >>> (8 * i));
    }
    cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, iv));
    cipher.updateAAD(aad);
  }
}
