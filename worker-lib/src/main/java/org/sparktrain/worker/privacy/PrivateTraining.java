package org.sparktrain.worker.privacy;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * What every worker of a private run needs: the same sampling rate, clip norm, noise and
 * microbatch size on every worker (the accountant's analysis assumes one mechanism), and the
 * run's secret, from which each step's Poisson draw and noise derive.
 *
 * <p>Travels to executors inside the trainer settings, so it is {@link Serializable}; its
 * {@link #toString} hides the secret.
 *
 * @param samplingRate q: each example of a shard joins a step's batch with this probability
 * @param secret at least {@link PrivacySecret#MIN_SECRET_BYTES} bytes from a SecureRandom
 */
public record PrivateTraining(double samplingRate, double clipNorm, double noiseMultiplier,
    int microbatchSize, byte[] secret) implements Serializable {

  public PrivateTraining {
    if (!(samplingRate > 0 && samplingRate <= 1)) {
      throw new IllegalArgumentException("the sampling rate must be in (0, 1], got "
          + samplingRate);
    }
    new PrivacySecret(secret); // checks its length
  }

  /** The run's secret, for the step's draw and noise. */
  public PrivacySecret keys() {
    return new PrivacySecret(secret);
  }

  @Override
  public String toString() {
    return "PrivateTraining[q=" + samplingRate + ", clipNorm=" + clipNorm + ", noiseMultiplier="
        + noiseMultiplier + ", microbatchSize=" + microbatchSize + ", secret hidden]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrivateTraining p && p.samplingRate == samplingRate
        && p.clipNorm == clipNorm && p.noiseMultiplier == noiseMultiplier
        && p.microbatchSize == microbatchSize && Arrays.equals(p.secret, secret);
  }

  @Override
  public int hashCode() {
    return Objects.hash(samplingRate, clipNorm, noiseMultiplier, microbatchSize,
        Arrays.hashCode(secret));
  }
}
