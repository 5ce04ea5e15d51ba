package org.sparktrain.driver.train;

import java.util.List;
import java.util.Map;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.worker.model.Network;

/**
 * The network after training, on the driver, and the per-round history.
 *
 * @param network holds {@code params}
 * @param params the model's parameters: the last round's, or with early stopping the best
 *     validated ones
 * @param earlyStopping the early-stopping figures for the summary; null without early stopping
 */
public record TrainedModel(Network network, String configJson,
    List<RoundMetrics> history, long examples, double trainSeconds,
    Progress finalProgress, float[] params, Map<String, Object> earlyStopping) {

  public double examplesPerSec() {
    return trainSeconds <= 0 ? 0 : examples / trainSeconds;
  }
}
