package org.sparktrain.driver.output;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-round columns that the report charts. A run of many thousand rounds is averaged into at
 * most {@link #MAX_POINTS} buckets of consecutive rounds, so the report stays a few hundred KB
 * and a browser draws it instantly; values keep {@link #SIGNIFICANT_DIGITS} digits, which is more
 * than a chart can show and keeps the embedded JSON short.
 */
final class RoundSeries {
  static final int MAX_POINTS = 2000;
  static final int SIGNIFICANT_DIGITS = 6;
  private static final MathContext DIGITS = new MathContext(SIGNIFICANT_DIGITS);

  private RoundSeries() {}

  /**
   * Columns round, epoch, elapsedS (training wall time at the end of the point), loss (mean over
   * the bucket) and examplesPerSec (the bucket's examples over its wall time), plus the validated
   * rounds with one column per validation metric. Non-finite values become null.
   */
  static Map<String, Object> of(List<RoundMetrics> history) {
    int roundsPerPoint = Math.max(1, ceilDiv(history.size(), MAX_POINTS));
    List<Long> round = new ArrayList<>();
    List<Integer> epoch = new ArrayList<>();
    List<Double> elapsedS = new ArrayList<>();
    List<Double> loss = new ArrayList<>();
    List<Double> examplesPerSec = new ArrayList<>();
    double elapsedMs = 0;
    for (int from = 0; from < history.size(); from += roundsPerPoint) {
      List<RoundMetrics> bucket = history.subList(from,
          Math.min(history.size(), from + roundsPerPoint));
      double lossSum = 0;
      int finiteLosses = 0;
      long examples = 0;
      double wallMs = 0;
      for (RoundMetrics m : bucket) {
        if (Double.isFinite(m.loss())) {
          lossSum += m.loss();
          finiteLosses++;
        }
        examples += m.examples();
        wallMs += m.wallMs();
      }
      elapsedMs += wallMs;
      RoundMetrics last = bucket.get(bucket.size() - 1);
      round.add(last.round());
      epoch.add(last.epoch());
      elapsedS.add(rounded(elapsedMs / 1000));
      loss.add(finiteLosses == 0 ? null : rounded(lossSum / finiteLosses));
      examplesPerSec.add(wallMs <= 0 ? null : rounded(examples * 1000.0 / wallMs));
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("rounds", history.size());
    columns.put("roundsPerPoint", roundsPerPoint);
    columns.put("round", round);
    columns.put("epoch", epoch);
    columns.put("elapsedS", elapsedS);
    columns.put("loss", loss);
    columns.put("examplesPerSec", examplesPerSec);
    columns.put("validation", validation(history));
    return columns;
  }

  /** Validation is sparse (once per epoch by default): thinned by stride, never averaged. */
  private static Map<String, Object> validation(List<RoundMetrics> history) {
    List<RoundMetrics> validated = history.stream().filter(m -> m.validation() != null)
        .toList();
    int stride = Math.max(1, ceilDiv(validated.size(), MAX_POINTS));
    List<Long> round = new ArrayList<>();
    Map<String, List<Double>> metrics = new LinkedHashMap<>();
    for (int i = 0; i < validated.size(); i++) {
      boolean lastOne = i == validated.size() - 1;
      if (i % stride != 0 && !lastOne) {
        continue;
      }
      RoundMetrics m = validated.get(i);
      for (String name : m.validation().keySet()) {
        // A metric first seen late still lines up with the rounds column.
        metrics.computeIfAbsent(name, k -> nulls(round.size()));
      }
      round.add(m.round());
      for (Map.Entry<String, List<Double>> e : metrics.entrySet()) {
        Double v = m.validation().get(e.getKey());
        e.getValue().add(v == null ? null : rounded(v));
      }
    }
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("round", round);
    v.put("metrics", metrics);
    return v;
  }

  static Double rounded(double x) {
    return Double.isFinite(x) ? new BigDecimal(x).round(DIGITS).doubleValue() : null;
  }

  private static List<Double> nulls(int n) {
    List<Double> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(null);
    }
    return list;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
