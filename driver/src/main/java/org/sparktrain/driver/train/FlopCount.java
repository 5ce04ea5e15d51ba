package org.sparktrain.driver.train;

import java.util.OptionalLong;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.model.ModelConfig;
import org.sparktrain.worker.model.TrainingFlops;
import org.sparktrain.worker.text.Tokenizer;

/** The run's training FLOPs per example, from the sizes its network is built with. */
public final class FlopCount {
  private FlopCount() {}

  /** FLOPs per example by TrainingFlops' convention, or null for a model it does not count. */
  public static Long perExample(JobSpec spec, PreparedData data) {
    ModelConfig model = spec.model();
    // As TrainingSetup builds it: a text classifier's inputs are token ids of the vocabulary.
    int inputs = model.kind() == ModelConfig.Kind.TEXT_CLASSES
        ? Tokenizer.fromJson(data.tokenizerJson()).vocabSize() : data.numFeatures();
    OptionalLong flops = TrainingFlops.perExample(model, inputs, data.numClasses());
    return flops.isPresent() ? flops.getAsLong() : null;
  }
}
