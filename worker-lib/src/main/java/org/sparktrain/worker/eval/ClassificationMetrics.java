package org.sparktrain.worker.eval;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** A confusion matrix, mergeable across partitions, and the metrics derived from it. */
public final class ClassificationMetrics implements Serializable {
  private final int numClasses;
  /** counts[actual * numClasses + predicted] */
  private final long[] counts;

  public ClassificationMetrics(int numClasses) {
    this(numClasses, new long[numClasses * numClasses]);
  }

  public ClassificationMetrics(int numClasses, long[] counts) {
    this.numClasses = numClasses;
    this.counts = counts;
  }

  public ClassificationMetrics add(int actual, int predicted) {
    counts[actual * numClasses + predicted]++;
    return this;
  }

  public ClassificationMetrics merge(ClassificationMetrics other) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    return this;
  }

  public int numClasses() {
    return numClasses;
  }

  public long[] counts() {
    return counts;
  }

  public long total() {
    long t = 0;
    for (long c : counts) {
      t += c;
    }
    return t;
  }

  public long[][] confusion() {
    long[][] m = new long[numClasses][numClasses];
    for (int a = 0; a < numClasses; a++) {
      System.arraycopy(counts, a * numClasses, m[a], 0, numClasses);
    }
    return m;
  }

  public double accuracy() {
    long correct = 0;
    for (int c = 0; c < numClasses; c++) {
      correct += counts[c * numClasses + c];
    }
    long total = total();
    return total == 0 ? Double.NaN : (double) correct / total;
  }

  public double precision(int c) {
    long predicted = 0;
    for (int a = 0; a < numClasses; a++) {
      predicted += counts[a * numClasses + c];
    }
    return predicted == 0 ? 0 : (double) counts[c * numClasses + c] / predicted;
  }

  public double recall(int c) {
    long actual = 0;
    for (int p = 0; p < numClasses; p++) {
      actual += counts[c * numClasses + p];
    }
    return actual == 0 ? 0 : (double) counts[c * numClasses + c] / actual;
  }

  public double f1(int c) {
    double p = precision(c);
    double r = recall(c);
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  public double macroF1() {
    double sum = 0;
    for (int c = 0; c < numClasses; c++) {
      sum += f1(c);
    }
    return sum / numClasses;
  }

  /** Scalar metrics by name, for metrics lines and cross-validation summaries. */
  public Map<String, Double> scalars() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("accuracy", accuracy());
    m.put("macroF1", macroF1());
    return m;
  }
}
