package org.sparktrain.worker.privacy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The run's secret, from which every random choice of DP-SGD that must stay hidden is derived:
 * which rows each step samples and the noise it adds. Both are keyed by
 * HMAC-SHA256(secret, purpose | round | step | partition) (RFC 2104), so they are reproducible
 * (a retried task draws the same batch and noise) yet unpredictable without the secret, and the
 * two purposes never share bits.
 *
 * <p>The secret must be drawn from a {@code SecureRandom} on the driver, never derived from the
 * public training seed, and never logged or written to the model or the report: whoever knows it
 * can subtract the noise.
 */
public final class PrivacySecret {
  /** 128 bits: out of reach of a search over secrets. */
  public static final int MIN_SECRET_BYTES = 16;

  private static final String HMAC = "HmacSHA256";
  private static final byte[] NOISE_PURPOSE = "sparktrain dp-sgd noise"
      .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SAMPLING_PURPOSE = "sparktrain dp-sgd poisson sampling"
      .getBytes(StandardCharsets.US_ASCII);

  private final byte[] secret;

  public PrivacySecret(byte[] secret) {
    if (secret == null || secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("the DP-SGD secret needs at least " + MIN_SECRET_BYTES
          + " bytes from a SecureRandom, got " + (secret == null ? "none" : secret.length));
    }
    this.secret = secret.clone();
  }

  /** The noise of one step on one worker. */
  public GaussianNoise noise(long round, int step, int partition) {
    return new GaussianNoise(new Keystream(derive(NOISE_PURPOSE, round, step, partition)));
  }

  /** The {@link PoissonSampler} seed of one step on one worker. */
  public long samplingSeed(long round, int step, int partition) {
    return ByteBuffer.wrap(derive(SAMPLING_PURPOSE, round, step, partition)).getLong();
  }

  private byte[] derive(byte[] purpose, long round, int step, int partition) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret, HMAC));
      mac.update(purpose);
      mac.update(ByteBuffer.allocate(Long.BYTES + 2 * Integer.BYTES).putLong(round).putInt(step)
          .putInt(partition).array());
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM offers no " + HMAC + ", which every Java SE "
          + "implementation must", e);
    }
  }

  @Override
  public String toString() {
    return "PrivacySecret[hidden]";
  }
}
