package org.sparktrain.worker.sync;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that admits a connection to one stretch's data plane (the driver's rendezvous and
 * round feed, the workers' mesh), and whether its traffic is encrypted.
 *
 * <p>The key is HMAC-SHA256 over a fresh per-stretch nonce, keyed with a secret every worker of
 * the application holds: Spark's own authentication secret when {@code spark.authenticate} is
 * on, else a random token the driver sends with the stretch's tasks. A connection then proves
 * it knows the key ({@link Handshake}) before any other byte is read, so a handshake recorded
 * in one stretch is worthless in the next, and the secret itself never crosses the data plane.
 *
 * <p>Never written anywhere: it has no {@code toString} that shows the key and is not
 * {@link java.io.Serializable}; what travels to executors is the nonce (and, without Spark's
 * authentication, the token), and each side derives this itself.
 */
public final class LinkSecurity {
  static final int KEY_BYTES = 32;
  private static final String HMAC = "HmacSHA256";
  private static final byte[] LABEL = "sparktrain data plane v1".getBytes(StandardCharsets.UTF_8);

  private final byte[] key;
  private final boolean encrypt;

  private LinkSecurity(byte[] key, boolean encrypt) {
    this.key = key;
    this.encrypt = encrypt;
  }

  /**
   * @param secret what every worker of the application holds (Spark's secret or the token)
   * @param nonce fresh for every stretch (every attempt of it)
   * @param encrypt seal every frame with AES-GCM (Spark's network or I/O encryption is on)
   */
  public static LinkSecurity derive(byte[] secret, byte[] nonce, boolean encrypt) {
    if (secret == null || secret.length == 0) {
      throw new IllegalArgumentException("the data plane's secret is empty");
    }
    if (nonce == null || nonce.length < 16) {
      throw new IllegalArgumentException("the data plane's nonce needs at least 16 bytes");
    }
    return new LinkSecurity(hmac(secret, LABEL, nonce), encrypt);
  }

  public boolean encrypts() {
    return encrypt;
  }

  /** HMAC-SHA256 under this stretch's key over the concatenated {@code parts}. */
  byte[] mac(byte[]... parts) {
    return hmac(key, parts);
  }

  static byte[] hmac(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      for (byte[] p : parts) {
        mac.update(p);
      }
      return mac.doFinal();
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "LinkSecurity[encrypt=" + encrypt + "]";
  }

  /** For the one place that must hand a JCE cipher a key; never logged. */
  static SecretKeySpec aesKey(byte[] keyBytes) throws GeneralSecurityException {
    if (keyBytes.length != KEY_BYTES) {
      throw new GeneralSecurityException("an AES-256 key needs " + KEY_BYTES + " bytes");
    }
    return new SecretKeySpec(keyBytes, "AES");
  }
}
