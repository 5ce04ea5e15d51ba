package org.sparktrain.driver.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one round did and cost.
 *
 * @param computeMs the slowest worker's time in its task (load snapshot, H steps, export)
 * @param syncMs everything else in the round: scheduling, broadcast, result transfer, averaging
 * @param averageMs the part of syncMs spent summing results and building the next snapshot
 * @param bytesMoved snapshot bytes sent to all workers plus result bytes returned
 * @param validation validation metrics when this round validated, else null
 */
public record RoundMetrics(long round, int epoch, double loss, long examples, double wallMs,
    double computeMs, double syncMs, double averageMs, long bytesMoved, Map<String, Double> validation) {

  /** Reads back what {@link #toMap()} wrote (checkpoints keep the history this way). */
  public static RoundMetrics fromJson(JsonNode j) {
    Map<String, Double> validation = null;
    if (j.path("validation").isObject()) {
      validation = new LinkedHashMap<>();
      for (var it = j.get("validation").fields(); it.hasNext(); ) {
        var e = it.next();
        validation.put(e.getKey(), e.getValue().asDouble());
      }
    }
    return new RoundMetrics(j.get("round").asLong(), j.get("epoch").asInt(),
        j.get("loss").asDouble(), j.get("examples").asLong(), j.get("wallMs").asDouble(),
        j.get("computeMs").asDouble(), j.get("syncMs").asDouble(), j.get("averageMs").asDouble(),
        j.get("bytesMoved").asLong(), validation);
  }

  /**
   * What a run's rounds cost in all: rounds, mean compute and synchronization ms per round,
   * bytes moved (summary.json's and the report's throughput, beside examples/s).
   */
  public static Map<String, Object> costs(List<RoundMetrics> history) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rounds", history.size());
    m.put("meanComputeMs", history.stream().mapToDouble(RoundMetrics::computeMs).average()
        .orElse(0));
    m.put("meanSyncMs", history.stream().mapToDouble(RoundMetrics::syncMs).average()
        .orElse(0));
    m.put("bytesMoved", history.stream().mapToLong(RoundMetrics::bytesMoved).sum());
    return m;
  }

  public double examplesPerSec() {
    return wallMs <= 0 ? 0 : examples * 1000.0 / wallMs;
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("round", round);
    m.put("epoch", epoch);
    m.put("loss", loss);
    m.put("examples", examples);
    m.put("examplesPerSec", examplesPerSec());
    m.put("wallMs", wallMs);
    m.put("computeMs", computeMs);
    m.put("syncMs", syncMs);
    m.put("averageMs", averageMs);
    m.put("bytesMoved", bytesMoved);
    if (validation != null) {
      m.put("validation", validation);
    }
    return m;
  }
}
