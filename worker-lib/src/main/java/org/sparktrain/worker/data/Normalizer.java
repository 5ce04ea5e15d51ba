package org.sparktrain.worker.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * An affine per-feature transform {@code x' = (x - shift) * scale}, built from training-split
 * statistics and applied unchanged to validation, test and prediction inputs.
 */
public record Normalizer(NormalizationMethod method, float[] shift, float[] scale)
    implements Serializable {

  public static Normalizer identity(int width) {
    float[] ones = new float[width];
    Arrays.fill(ones, 1f);
    return new Normalizer(NormalizationMethod.NONE, new float[width], ones);
  }

  /**
   * Every feature divided by {@code divisor}, a bound known without looking at the data (255
   * for 8-bit pixels): nothing about the training data goes into it.
   */
  public static Normalizer fixedScale(int width, double divisor) {
    if (!(divisor > 0) || Double.isInfinite(divisor)) {
      throw new IllegalArgumentException("the divisor must be finite and > 0, got " + divisor);
    }
    float[] scale = new float[width];
    Arrays.fill(scale, (float) (1.0 / divisor));
    return new Normalizer(NormalizationMethod.SCALE, new float[width], scale);
  }

  public static Normalizer fit(NormalizationMethod method, FeatureStats stats) {
    int width = stats.width();
    if (method == NormalizationMethod.NONE) {
      return identity(width);
    }
    float[] shift = new float[width];
    float[] scale = new float[width];
    double maxAbs = 0;
    for (int i = 0; i < width; i++) {
      maxAbs = Math.max(maxAbs, Math.max(Math.abs(stats.min()[i]), Math.abs(stats.max()[i])));
    }
    for (int i = 0; i < width; i++) {
      switch (method) {
        case STANDARDIZE -> {
          double std = stats.std(i);
          shift[i] = (float) stats.mean()[i];
          scale[i] = (float) (std > 0 ? 1.0 / std : 1.0);
        }
        case MINMAX -> {
          double range = stats.max()[i] - stats.min()[i];
          shift[i] = (float) stats.min()[i];
          scale[i] = (float) (range > 0 ? 1.0 / range : 1.0);
        }
        case SCALE -> {
          shift[i] = 0f;
          scale[i] = (float) (maxAbs > 0 ? 1.0 / maxAbs : 1.0);
        }
        default -> throw new IllegalStateException("unhandled " + method);
      }
    }
    return new Normalizer(method, shift, scale);
  }

  public int width() {
    return shift.length;
  }

  /** Transforms in place and returns the same array. */
  public float[] apply(float[] x) {
    if (x.length != shift.length) {
      throw new IllegalArgumentException("record has " + x.length
          + " features but the normalizer was fitted on " + shift.length);
    }
    if (method == NormalizationMethod.NONE) {
      return x;
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = (x[i] - shift[i]) * scale[i];
    }
    return x;
  }
}
