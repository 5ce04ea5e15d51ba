package org.sparktrain.worker.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GaussianNoiseTest {
  private static final byte[] SECRET = "a test secret of 32 bytes, fixed".getBytes(
      StandardCharsets.US_ASCII);
  private static final int SAMPLES = 100_000;

  @Test
  void drawsHaveTheRequestedStandardDeviationAndMeanZero() {
    double stddev = 0.37;
    float[] draws = new PrivacySecret(SECRET).noise(3, 5, 1).sample(SAMPLES, stddev);
    double sum = 0;
    double squares = 0;
    for (float d : draws) {
      sum += d;
      squares += (double) d * d;
    }
    double mean = sum / SAMPLES;
    double sd = Math.sqrt(squares / SAMPLES - mean * mean);
    assertThat(sd).isBetween(0.98 * stddev, 1.02 * stddev);
    // Four standard errors of the mean.
    assertThat(Math.abs(mean)).isLessThan(4 * stddev / Math.sqrt(SAMPLES));
  }

  /** A normal's tails: 4.55% beyond 2 sd, 0.27% beyond 3 (each within about 4 standard errors). */
  @Test
  void tailsAreGaussian() {
    float[] draws = new PrivacySecret(SECRET).noise(0, 0, 0).sample(SAMPLES, 1.0);
    long beyondTwo = 0;
    long beyondThree = 0;
    for (float d : draws) {
      beyondTwo += Math.abs(d) > 2 ? 1 : 0;
      beyondThree += Math.abs(d) > 3 ? 1 : 0;
    }
    assertThat(beyondTwo / (double) SAMPLES).isBetween(0.0429, 0.0481);
    assertThat(beyondThree / (double) SAMPLES).isBetween(0.0020, 0.0034);
  }

  @Test
  void isReproducibleBitForBitAndKeyedByEveryCoordinate() {
    PrivacySecret secret = new PrivacySecret(SECRET);
    float[] draws = secret.noise(4, 2, 7).sample(1_000, 1.0);
    assertThat(new PrivacySecret(SECRET.clone()).noise(4, 2, 7).sample(1_000, 1.0))
        .containsExactly(draws);
    assertThat(secret.noise(5, 2, 7).sample(1_000, 1.0)).isNotEqualTo(draws);
    assertThat(secret.noise(4, 3, 7).sample(1_000, 1.0)).isNotEqualTo(draws);
    assertThat(secret.noise(4, 2, 8).sample(1_000, 1.0)).isNotEqualTo(draws);
    byte[] other = SECRET.clone();
    other[0] ^= 1;
    assertThat(new PrivacySecret(other).noise(4, 2, 7).sample(1_000, 1.0)).isNotEqualTo(draws);
  }

  /**
   * The first draws of a fixed key, pinned: any JVM must produce these exact doubles (AES-CTR,
   * strict IEEE arithmetic, StrictMath.log), so a change here breaks the reproducibility of runs.
   */
  @Test
  void firstDrawsArePinned() {
    GaussianNoise noise = new PrivacySecret(SECRET).noise(1, 2, 3);
    double[] first = {noise.next(), noise.next(), noise.next()};
    assertThat(first).containsExactly(PINNED);
  }

  private static final double[] PINNED = {0.618120975014124, -1.7949929700627185,
      0.04998232023714076};

  @Test
  void samplingSeedsDifferFromEachOtherAndAreReproducible() {
    PrivacySecret secret = new PrivacySecret(SECRET);
    assertThat(secret.samplingSeed(1, 2, 3)).isEqualTo(new PrivacySecret(SECRET)
        .samplingSeed(1, 2, 3));
    assertThat(secret.samplingSeed(1, 2, 3)).isNotEqualTo(secret.samplingSeed(1, 2, 4));
  }

  @Test
  void refusesAShortSecretAndHidesIt() {
    assertThatThrownBy(() -> new PrivacySecret(new byte[8]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the DP-SGD secret needs at least 16 bytes from a SecureRandom, got 8");
    assertThat(new PrivacySecret(SECRET).toString()).doesNotContain("secret of");
  }
}
