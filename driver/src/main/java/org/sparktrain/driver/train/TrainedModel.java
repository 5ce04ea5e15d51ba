package org.sparktrain.driver.train;

import java.util.List;
import org.sparktrain.worker.train.Network;

/** The network after training, on the driver, and the per-round history. */
public record TrainedModel(Network network, String configJson,
    List<RoundMetrics> history, long examples, double trainSeconds,
    TrainingLoop.Progress finalProgress) {

  public double examplesPerSec() {
    return trainSeconds <= 0 ? 0 : examples / trainSeconds;
  }
}
