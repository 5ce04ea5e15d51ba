package org.sparktrain.worker.privacy;

/**
 * Standard normal draws for DP-SGD's noise, from a {@link Keystream} by Marsaglia's polar method,
 * in double precision.
 *
 * <p>Reproducible bit for bit across JVMs: the keystream is fully specified, Java 17's floating
 * point is strict IEEE 754 (JEP 306), {@code sqrt} is correctly rounded, and the one
 * transcendental function is {@link StrictMath#log}, whose results the specification fixes
 * (fdlibm), where {@code Math.log} may differ in the last place between platforms.
 *
 * <p>The draws are rounded to the network's precision (float) when added to a gradient; the
 * floating-point attacks on the textbook Laplace mechanism (Mironov, CCS 2012) concern released
 * values whose low bits reveal the noise, which a noisy gradient averaged into parameters is not
 * known to expose, but this is not a proof against them.
 */
public final class GaussianNoise {
  private final Keystream bits;
  private double spare;
  private boolean hasSpare;

  GaussianNoise(Keystream bits) {
    this.bits = bits;
  }

  /** The next N(0, 1) draw. */
  public double next() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u;
    double v;
    double s;
    do {
      u = 2 * bits.nextDouble() - 1;
      v = 2 * bits.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double scale = Math.sqrt(-2 * StrictMath.log(s) / s);
    spare = v * scale;
    hasSpare = true;
    return u * scale;
  }

  /** {@code count} draws of N(0, stddev^2), rounded to float. */
  public float[] sample(int count, double stddev) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    if (!(stddev >= 0) || Double.isInfinite(stddev)) {
      throw new IllegalArgumentException("stddev must be finite and >= 0, got " + stddev);
    }
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = (float) (stddev * next());
    }
    return out;
  }
}
