package org.sparktrain.worker.eval;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** Sums for MSE, MAE and R², mergeable across partitions. */
public final class RegressionMetrics implements Serializable {
  private long count;
  private double sumSquaredError;
  private double sumAbsoluteError;
  private double sumTarget;
  private double sumTargetSquared;

  public RegressionMetrics() {}

  public RegressionMetrics(long count, double sse, double sae, double sumY, double sumY2) {
    this.count = count;
    this.sumSquaredError = sse;
    this.sumAbsoluteError = sae;
    this.sumTarget = sumY;
    this.sumTargetSquared = sumY2;
  }

  public RegressionMetrics add(double actual, double predicted) {
    double e = predicted - actual;
    count++;
    sumSquaredError += e * e;
    sumAbsoluteError += Math.abs(e);
    sumTarget += actual;
    sumTargetSquared += actual * actual;
    return this;
  }

  public RegressionMetrics merge(RegressionMetrics o) {
    count += o.count;
    sumSquaredError += o.sumSquaredError;
    sumAbsoluteError += o.sumAbsoluteError;
    sumTarget += o.sumTarget;
    sumTargetSquared += o.sumTargetSquared;
    return this;
  }

  public long count() {
    return count;
  }

  public double[] sums() {
    return new double[] {sumSquaredError, sumAbsoluteError, sumTarget, sumTargetSquared};
  }

  public double mse() {
    return count == 0 ? Double.NaN : sumSquaredError / count;
  }

  public double mae() {
    return count == 0 ? Double.NaN : sumAbsoluteError / count;
  }

  /** 1 - SSE / total sum of squares around the mean; NaN when the targets are constant. */
  public double r2() {
    double mean = sumTarget / count;
    double total = sumTargetSquared - count * mean * mean;
    return total <= 0 ? Double.NaN : 1 - sumSquaredError / total;
  }

  public Map<String, Double> scalars() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("mse", mse());
    m.put("mae", mae());
    m.put("r2", r2());
    return m;
  }
}
