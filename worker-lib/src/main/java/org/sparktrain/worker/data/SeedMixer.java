package org.sparktrain.worker.data;

/**
 * Derives independent seeds from a job seed and coordinates such as (round, partition), so every
 * random draw in a run is a pure function of where it happens. SplitMix64's finalizer.
 */
public final class SeedMixer {
  private SeedMixer() {}

  public static long mix(long seed, long... coordinates) {
    long h = scramble(seed ^ 0x5DEECE66DL);
    for (long c : coordinates) {
      h = scramble(h + 0x9E3779B97F4A7C15L + c);
    }
    return h;
  }

  /** A uniform double in [0, 1) derived from the given coordinates. */
  public static double uniform(long seed, long... coordinates) {
    return (mix(seed, coordinates) >>> 11) * 0x1.0p-53;
  }

  private static long scramble(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
