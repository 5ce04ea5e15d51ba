package org.sparktrain.worker.train;

/**
 * Example-weighted sums of worker parameters and optimizer state, in double precision.
 *
 * <p>{@code add} and {@code merge} are associative and commutative (up to floating-point rounding
 * of the sums), so partial sums may be combined in any tree. The training loop still merges in
 * partition order so that a run is bitwise reproducible.
 */
public final class ParameterAccumulator {
  private double[] paramSums;
  private double[] stateSums;
  private long examples;
  private double lossSum;
  private long steps;
  private long maxComputeNanos;
  private long resultBytes;

  public ParameterAccumulator add(WorkerResult r) {
    if (r.examples() == 0) {
      return this;
    }
    if (paramSums == null) {
      paramSums = new double[r.params().length];
      stateSums = new double[r.optimizerState().length];
    }
    checkShape(r.params().length, r.optimizerState().length);
    double w = r.examples();
    float[] p = r.params();
    for (int i = 0; i < p.length; i++) {
      paramSums[i] += p[i] * w;
    }
    float[] s = r.optimizerState();
    for (int i = 0; i < s.length; i++) {
      stateSums[i] += s[i] * w;
    }
    examples += r.examples();
    lossSum += r.lossSum();
    steps += r.steps();
    maxComputeNanos = Math.max(maxComputeNanos, r.computeNanos());
    resultBytes += r.sizeBytes();
    return this;
  }

  public ParameterAccumulator merge(ParameterAccumulator other) {
    if (other.examples == 0) {
      return this;
    }
    if (paramSums == null) {
      paramSums = new double[other.paramSums.length];
      stateSums = new double[other.stateSums.length];
    }
    checkShape(other.paramSums.length, other.stateSums.length);
    for (int i = 0; i < paramSums.length; i++) {
      paramSums[i] += other.paramSums[i];
    }
    for (int i = 0; i < stateSums.length; i++) {
      stateSums[i] += other.stateSums[i];
    }
    examples += other.examples;
    lossSum += other.lossSum;
    steps += other.steps;
    maxComputeNanos = Math.max(maxComputeNanos, other.maxComputeNanos);
    resultBytes += other.resultBytes;
    return this;
  }

  private void checkShape(int params, int state) {
    if (params != paramSums.length || state != stateSums.length) {
      throw new IllegalArgumentException("worker results disagree in shape: " + params + "/"
          + state + " vs " + paramSums.length + "/" + stateSums.length);
    }
  }

  public float[] averageParams() {
    return average(paramSums);
  }

  public float[] averageState() {
    return average(stateSums);
  }

  private float[] average(double[] sums) {
    if (examples == 0) {
      throw new IllegalStateException("no worker processed any example this round");
    }
    float[] out = new float[sums.length];
    for (int i = 0; i < sums.length; i++) {
      out[i] = (float) (sums[i] / examples);
    }
    return out;
  }

  public long examples() {
    return examples;
  }

  /** Example-weighted mean minibatch loss of the round. */
  public double meanLoss() {
    return examples == 0 ? Double.NaN : lossSum / examples;
  }

  public long steps() {
    return steps;
  }

  public long maxComputeNanos() {
    return maxComputeNanos;
  }

  public long resultBytes() {
    return resultBytes;
  }
}
