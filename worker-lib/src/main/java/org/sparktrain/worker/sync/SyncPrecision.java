package org.sparktrain.worker.sync;

import java.util.Locale;

/**
 * {@code train.syncPrecision}: what workers exchange to average a round. {@code float32}: their
 * parameters (and optimizer state), as they are. {@code bfloat16}: the change of each since the
 * round began, rounded to bfloat16 (8 exponent bits, 8 significant bits; round to nearest, ties
 * to even), and the average of those changes rounded again; the snapshot itself (the master
 * copy) stays float32 and is updated by the rounded average. Every step is a fixed float
 * operation, so both strategies and every rerun give the same bits.
 */
public enum SyncPrecision {
  FLOAT32, BFLOAT16;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Bytes per exchanged value on the wire. */
  public int bytesPerValue() {
    return this == BFLOAT16 ? 2 : Float.BYTES;
  }

  /** What a worker contributes to the average: its values, or their rounded change. */
  public float[] contribution(float[] after, float[] before) {
    if (this == FLOAT32) {
      return after;
    }
    checkLengths(after, before);
    float[] delta = new float[after.length];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = round(after[i] - before[i]);
    }
    return delta;
  }

  /** The average as it is exchanged (and applied): rounded to bfloat16, or as it is. */
  public float[] exchanged(float[] average) {
    if (this == FLOAT32) {
      return average;
    }
    float[] rounded = new float[average.length];
    for (int i = 0; i < rounded.length; i++) {
      rounded[i] = round(average[i]);
    }
    return rounded;
  }

  /** The values after the round: the average itself, or the round's start plus the change. */
  public float[] apply(float[] before, float[] average) {
    if (this == FLOAT32) {
      return average;
    }
    checkLengths(average, before);
    float[] after = new float[before.length];
    for (int i = 0; i < after.length; i++) {
      // round() is idempotent: an average that was already exchanged is unchanged by it.
      after[i] = before[i] + round(average[i]);
    }
    return after;
  }

  /** Rounds to the nearest bfloat16, ties to even, as a float with zero low 16 bits. */
  static float round(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return Float.intBitsToFloat((bits | 0x0040_0000) & 0xffff_0000); // stays a (quiet) NaN
    }
    int lowestKept = (bits >>> 16) & 1;
    return Float.intBitsToFloat((bits + 0x7fff + lowestKept) & 0xffff_0000);
  }

  private static void checkLengths(float[] a, float[] before) {
    if (a.length != before.length) {
      throw new IllegalArgumentException("cannot take the change of " + a.length
          + " values against " + before.length);
    }
  }
}
