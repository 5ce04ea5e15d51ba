package org.sparktrain.driver.api;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.output.RoundMetrics;

/**
 * What a training run produced: the test metrics, the per-round history, the summary that
 * {@code summary.json} holds, the run directory and the model.
 */
public final class TrainingResult {
  private final TrainJob.Result result;
  private final String runDir;
  private final Model model;

  TrainingResult(TrainJob.Result result, String runDir) {
    this.result = result;
    this.runDir = runDir;
    this.model = new Model(result.bundle());
  }

  /** Accuracy on the test split; a regression model has none (see {@link #testMetrics()}). */
  public double testAccuracy() {
    Object accuracy = testMetrics().get("accuracy");
    if (!(accuracy instanceof Double a)) {
      throw new IllegalStateException("no test accuracy: " + (model.classification()
          ? "the test split is empty" : "this is a regression model; see testMetrics() for mse, "
          + "mae and r2"));
    }
    return a;
  }

  /**
   * The test metrics as in {@code summary.json}: examples, accuracy, macroF1, perClass,
   * confusionMatrix (classification) or mse, mae, r2 (regression).
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> testMetrics() {
    return (Map<String, Object>) result.summary().get("test");
  }

  /** One entry per round: loss, examples/s, timings, validation metrics when validated. */
  public List<RoundMetrics> metrics() {
    return result.model().history();
  }

  /** Everything {@code summary.json} holds. */
  public Map<String, Object> summary() {
    return result.summary();
  }

  /** The run directory's URI (spec.yaml, metrics.jsonl, summary.json, model/, checkpoints/). */
  public String runDir() {
    return runDir;
  }

  public Model model() {
    return model;
  }

  /** Predicts for rows of raw features; see {@link Model#predict(double[][])}. */
  public Predictions predict(double[][] rows) {
    return model.predict(rows);
  }

  @Override
  public String toString() {
    Map<String, Object> test = testMetrics();
    String metrics;
    if (test.get("accuracy") instanceof Double accuracy) {
      metrics = String.format(Locale.ROOT, "test accuracy %.4f (macro F1 %.4f, %s examples)",
          accuracy, (Double) test.get("macroF1"), test.get("examples"));
    } else if (test.get("mse") instanceof Double mse) {
      metrics = String.format(Locale.ROOT, "test MSE %.6g, MAE %.6g, R2 %.4f (%s examples)", mse,
          (Double) test.get("mae"), (Double) test.get("r2"), test.get("examples"));
    } else {
      metrics = "no test examples";
    }
    List<RoundMetrics> rounds = metrics();
    int epochs = rounds.isEmpty() ? 0 : rounds.get(rounds.size() - 1).epoch() + 1;
    return String.format(Locale.ROOT, "TrainingResult[%s: %s; %d epochs, %d rounds, final loss "
        + "%.4f, %,.0f examples/s; run dir %s]", result.summary().get("model"), metrics, epochs,
        rounds.size(), (Double) result.summary().get("finalTrainLoss"),
        result.model().examplesPerSec(), runDir);
  }
}
