package org.sparktrain.worker.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-feature count, mean, sum of squared deviations, min and max, accumulated in one pass and
 * mergeable across partitions (Chan et al.'s parallel variance update), so a distributed fit
 * gives the statistics of a single pass over all records.
 */
public final class FeatureStats implements Serializable {
  private long count;
  private double[] mean;
  private double[] m2;
  private double[] min;
  private double[] max;

  public FeatureStats() {}

  /** For deserialization. */
  public FeatureStats(long count, double[] mean, double[] m2, double[] min, double[] max) {
    this.count = count;
    this.mean = mean;
    this.m2 = m2;
    this.min = min;
    this.max = max;
  }

  public FeatureStats add(float[] x) {
    if (mean == null) {
      allocate(x.length);
    }
    checkWidth(x.length);
    count++;
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      double delta = v - mean[i];
      mean[i] += delta / count;
      m2[i] += delta * (v - mean[i]);
      if (v < min[i]) {
        min[i] = v;
      }
      if (v > max[i]) {
        max[i] = v;
      }
    }
    return this;
  }

  public FeatureStats merge(FeatureStats other) {
    if (other.count == 0) {
      return this;
    }
    if (count == 0) {
      count = other.count;
      mean = other.mean.clone();
      m2 = other.m2.clone();
      min = other.min.clone();
      max = other.max.clone();
      return this;
    }
    checkWidth(other.mean.length);
    long n = count + other.count;
    for (int i = 0; i < mean.length; i++) {
      double delta = other.mean[i] - mean[i];
      mean[i] += delta * other.count / n;
      m2[i] += other.m2[i] + delta * delta * ((double) count * other.count / n);
      min[i] = Math.min(min[i], other.min[i]);
      max[i] = Math.max(max[i], other.max[i]);
    }
    count = n;
    return this;
  }

  private void allocate(int width) {
    mean = new double[width];
    m2 = new double[width];
    min = new double[width];
    max = new double[width];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
  }

  private void checkWidth(int width) {
    if (width != mean.length) {
      throw new IllegalArgumentException(
          "feature width changed from " + mean.length + " to " + width);
    }
  }

  public long count() {
    return count;
  }

  public int width() {
    return mean == null ? 0 : mean.length;
  }

  public double[] mean() {
    return mean;
  }

  public double[] m2() {
    return m2;
  }

  public double[] min() {
    return min;
  }

  public double[] max() {
    return max;
  }

  /** Population standard deviation of feature i. */
  public double std(int i) {
    return count == 0 ? 0 : Math.sqrt(m2[i] / count);
  }
}
