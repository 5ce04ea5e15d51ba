package org.sparktrain.driver.checkpoint;

import java.util.List;
import java.util.Map;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.train.state.Best;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.driver.train.state.Rollbacks;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * What a checkpoint holds: enough to continue the run bit for bit (snapshot, position, history)
 * and to check that the resumed run is the same run (spec, model configuration, normalizer).
 *
 * @param round the last completed round; training resumes at {@code round + 1}
 * @param best with early stopping, the best validated parameters so far; else null
 * @param workerFiles the parameter and optimizer-state files the workers already wrote into the
 *     round's folder (then the store writes only the rest); empty when it writes them all
 * @param tokenizerJson a text model's tokenizer, trained on the run's data (a resumed run must
 *     build the same one); null for other models and for checkpoints older than this field
 * @param tableEncodingJson how a table's columns became features (TableEncoding's JSON, fitted
 *     on the training split; a resumed run must fit the same one); null for other data
 * @param rollbacks the rollbacks after divergence so far, and the learning-rate scale they left
 *     (the model configuration is always the spec's, unscaled)
 * @param privacy a private run's secret and spent budget; null for ordinary training
 */
public record CheckpointContent(long round, ModelSnapshot snapshot, String modelConfigJson,
    Normalizer normalizer, String specYaml, List<RoundMetrics> history, long examples,
    double trainSeconds, long createdAtMillis, Best best,
    List<SliceWriter.WrittenFile> workerFiles, String tokenizerJson, String tableEncodingJson,
    Rollbacks rollbacks, CheckpointPrivacy privacy) {

  /** A checkpoint of an ordinary (not private) run. */
  public CheckpointContent(long round, ModelSnapshot snapshot, String modelConfigJson,
      Normalizer normalizer, String specYaml, List<RoundMetrics> history, long examples,
      double trainSeconds, long createdAtMillis, Best best,
      List<SliceWriter.WrittenFile> workerFiles, String tokenizerJson, String tableEncodingJson,
      Rollbacks rollbacks) {
    this(round, snapshot, modelConfigJson, normalizer, specYaml, history, examples, trainSeconds,
        createdAtMillis, best, workerFiles, tokenizerJson, tableEncodingJson, rollbacks, null);
  }

  /** A checkpoint of a run without early stopping. */
  public CheckpointContent(long round, ModelSnapshot snapshot, String modelConfigJson,
      Normalizer normalizer, String specYaml, List<RoundMetrics> history, long examples,
      double trainSeconds, long createdAtMillis) {
    this(round, snapshot, modelConfigJson, normalizer, specYaml, history, examples, trainSeconds,
        createdAtMillis, null, List.of(), null, null, Rollbacks.NONE);
  }

  public Progress toProgress() {
    return new Progress(snapshot, round + 1, history, examples, trainSeconds, best,
        List.of(), rollbacks);
  }

  /** The last validation metrics recorded up to this checkpoint, or null. */
  public Map<String, Double> lastValidation() {
    for (int i = history.size() - 1; i >= 0; i--) {
      if (history.get(i).validation() != null) {
        return history.get(i).validation();
      }
    }
    return null;
  }
}
