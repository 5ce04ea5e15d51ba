package org.sparktrain.driver.output;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's arithmetic rate: training examples/s times FLOPs per example, and that as a fraction
 * of the machines' measured peak. What summary.json, the live report and the metrics gauges
 * show under "flops".
 *
 * @param trainingFlopsPerExample forward and backward, by TrainingFlops' convention; null
 *     for a model whose layers are not counted
 * @param peak the machines' measured peak; null when it could not be measured
 */
public record FlopRate(Long trainingFlopsPerExample, ClusterPeak peak) {
  /** Where the counting convention is written down. */
  public static final String CONVENTION = "a multiply-add is 2 FLOPs; backward = 2 x forward, "
      + "so training = 3 x forward; see the README's \"FLOPs and utilization\"";
  public static final FlopRate UNKNOWN = new FlopRate(null, null);

  /** Achieved GFLOP/s at {@code examplesPerSec}; NaN when FLOPs are not counted. */
  public double gflopsPerSec(double examplesPerSec) {
    return trainingFlopsPerExample == null ? Double.NaN
        : examplesPerSec * trainingFlopsPerExample / 1e9;
  }

  /** Achieved over the peak of all cores, in [0, 1] unless the peak was under-measured. */
  public double utilization(double examplesPerSec) {
    return peak == null || !(peak.allCoresGflops() > 0) ? Double.NaN
        : gflopsPerSec(examplesPerSec) / peak.allCoresGflops();
  }

  public Map<String, Object> toMap(double examplesPerSec) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("convention", CONVENTION);
    m.put("trainingFlopsPerExample", trainingFlopsPerExample);
    if (trainingFlopsPerExample != null) {
      m.put("achievedGflopsPerSec", gflopsPerSec(examplesPerSec));
    }
    if (peak != null) {
      m.put("peakGflopsPerSec", peak.allCoresGflops());
      if (trainingFlopsPerExample != null) {
        m.put("utilization", utilization(examplesPerSec));
      }
      m.put("peak", peak.toMap());
    }
    return m;
  }
}
