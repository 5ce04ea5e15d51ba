package org.sparktrain.driver.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.train.state.Best;
import org.sparktrain.driver.train.state.Rollbacks;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.ModelSnapshot;

/** training-state.json: position, seeds' context, normalizer, resolved spec, metric history. */
final class TrainingStateJson {
  private TrainingStateJson() {}

  static Map<String, Object> toMap(CheckpointContent c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("formatVersion", 1);
    m.put("round", c.round());
    m.put("nextRound", c.round() + 1);
    m.put("epoch", c.snapshot().epoch());
    m.put("iteration", c.snapshot().iteration());
    m.put("examples", c.examples());
    m.put("trainSeconds", c.trainSeconds());
    m.put("createdAt", c.createdAtMillis());
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("method", c.normalizer().method().key());
    n.put("shift", c.normalizer().shift());
    n.put("scale", c.normalizer().scale());
    m.put("normalizer", n);
    m.put("spec", c.specYaml());
    List<Map<String, Object>> history = new ArrayList<>();
    c.history().forEach(r -> history.add(r.toMap()));
    m.put("history", history);
    if (c.best() != null) {
      m.put("bestRound", c.best().round());
    }
    if (c.tokenizerJson() != null) {
      m.put("tokenizer", c.tokenizerJson());
    }
    if (c.tableEncodingJson() != null) {
      m.put("tableEncoding", c.tableEncodingJson());
    }
    if (c.rollbacks().count() > 0) {
      m.put("rollbacks", c.rollbacks().count());
      m.put("learningRateScale", c.rollbacks().learningRateScale());
    }
    if (c.privacy() != null) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("steps", c.privacy().steps());
      p.put("epsilon", c.privacy().epsilon());
      // The checkpoint's private part (see CheckpointPrivacy): a resumed run needs it.
      p.put("secret", Base64.getEncoder().encodeToString(c.privacy().secret()));
      m.put("privacy", p);
    }
    return m;
  }

  /**
   * @param outerMomentum empty without an outer optimizer
   * @param bestParams empty without early stopping
   */
  static CheckpointContent fromJson(JsonNode j, float[] params, float[][] states,
      float[] outerMomentum, float[] bestParams, String modelConfig) {
    JsonNode n = j.get("normalizer");
    Normalizer normalizer = new Normalizer(
        NormalizationMethod.valueOf(n.get("method").asText().toUpperCase(Locale.ROOT)),
        floats(n.get("shift")), floats(n.get("scale")));
    List<RoundMetrics> history = new ArrayList<>();
    for (JsonNode r : j.get("history")) {
      history.add(RoundMetrics.fromJson(r));
    }
    ModelSnapshot snapshot = new ModelSnapshot(params, states, j.get("iteration").asLong(),
        j.get("epoch").asInt(), outerMomentum);
    Best best = j.has("bestRound")
        ? new Best(j.get("bestRound").asLong(), bestParams) : null;
    return new CheckpointContent(j.get("round").asLong(), snapshot, modelConfig, normalizer,
        j.get("spec").asText(), history, j.get("examples").asLong(),
        j.get("trainSeconds").asDouble(), j.get("createdAt").asLong(), best, List.of(),
        j.hasNonNull("tokenizer") ? j.get("tokenizer").asText() : null,
        j.hasNonNull("tableEncoding") ? j.get("tableEncoding").asText() : null,
        rollbacks(j), privacy(j));
  }

  /** A private run's state; null for other runs. */
  private static CheckpointPrivacy privacy(JsonNode j) {
    JsonNode p = j.get("privacy");
    if (p == null || p.isNull()) {
      return null;
    }
    byte[] secret = Base64.getDecoder().decode(p.get("secret").asText());
    return new CheckpointPrivacy(secret, p.get("steps").asLong(), p.get("epsilon").asDouble());
  }

  /** The rollbacks after divergence recorded in the state; none in older checkpoints. */
  private static Rollbacks rollbacks(JsonNode j) {
    if (!j.has("rollbacks")) {
      return Rollbacks.NONE;
    }
    int count = j.get("rollbacks").asInt();
    double scale = j.path("learningRateScale").asDouble(Double.NaN);
    if (count < 1 || !(scale > 0 && scale < 1)) {
      throw new IllegalArgumentException("rollbacks " + j.get("rollbacks") + " with "
          + "learningRateScale " + j.get("learningRateScale") + " is not a valid training "
          + "state (a positive count with a scale in (0, 1))");
    }
    return new Rollbacks(count, scale);
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }
}
