package org.sparktrain.driver.train.sync;

import java.io.Serializable;
import org.sparktrain.worker.optim.OuterOptimizer;
import org.sparktrain.worker.sync.SyncPrecision;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.WorkerResult;

/**
 * How a round's results become the next snapshot: what each worker contributes, and how the
 * example-weighted average of the contributions (always summed in partition order) is applied.
 * The driver strategy and every collective worker use this one definition, which is why they
 * agree bit for bit.
 *
 * @param averageState average the optimizer state like the parameters (else each worker keeps
 *     its own, never exchanged)
 * @param precision what is exchanged: the values, or their bfloat16-rounded change
 * @param outer applied to the averaged parameters; null for plain averaging
 */
public record Averaging(boolean averageState, SyncPrecision precision, OuterOptimizer outer)
    implements Serializable {

  /** What worker {@code trained.partition()} sends after training from {@code from}. */
  WorkerResult contribution(WorkerResult trained, ModelSnapshot from) {
    if (precision == SyncPrecision.FLOAT32) {
      return trained;
    }
    float[] state = averageState && trained.optimizerState().length > 0
        ? precision.contribution(trained.optimizerState(), from.stateFor(trained.partition()))
        : trained.optimizerState();
    return new WorkerResult(trained.partition(),
        precision.contribution(trained.params(), from.params()), state, trained.examples(),
        trained.lossSum(), trained.steps(), trained.computeNanos());
  }

  /** The parameters after the round, and the outer momentum, from the averaged contributions. */
  OuterOptimizer.Step params(ModelSnapshot from, float[] averagedContributions) {
    float[] averaged = precision.apply(from.params(), averagedContributions);
    return outer == null ? new OuterOptimizer.Step(averaged, from.outerMomentum())
        : outer.step(from.params(), averaged, from.outerMomentum());
  }

  /** The shared optimizer state after the round (state averaging only). */
  float[] state(ModelSnapshot from, float[] averagedContributions) {
    return averagedContributions.length == 0 ? averagedContributions
        : precision.apply(from.stateFor(0), averagedContributions);
  }
}
