package org.sparktrain.driver.train;

import java.util.OptionalLong;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.model.ModelConfig;
import org.sparktrain.worker.model.TrainingFlops;

/** The run's training FLOPs per example, from the sizes its network is built with. */
public final class FlopCount {
  private FlopCount() {}

  /** FLOPs per example by TrainingFlops' convention, or null for a model it does not count. */
  public static Long perExample(JobSpec spec, PreparedData data) {
    ModelConfig model = spec.model();
    // As TrainingSetup builds it.
    OptionalLong flops = TrainingFlops.perExample(model, data.features().networkInputs(),
        data.numClasses());
    return flops.isPresent() ? flops.getAsLong() : null;
  }
}
