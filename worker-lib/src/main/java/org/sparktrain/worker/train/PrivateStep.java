package org.sparktrain.worker.train;

import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.privacy.DpSgdStep;
import org.sparktrain.worker.privacy.DpStepResult;
import org.sparktrain.worker.privacy.PoissonSampler;
import org.sparktrain.worker.privacy.PrivacySecret;
import org.sparktrain.worker.privacy.PrivateTraining;

/**
 * One DP-SGD step of a worker (what {@link PartitionTrainer} runs instead of {@code fit} in a
 * private run): Poisson-sample the worker's own shard with the step's secret draw, clip each
 * microbatch's gradient, add the step's secret noise, and update the network with its own
 * updater. The expected batch is {@code q * rows}, what the noisy sum is divided by.
 */
final class PrivateStep {
  private PrivateStep() {}

  static DpStepResult run(PrivateTraining privacy, Network net, Task task, ExampleBlock shard,
      long round, int step) {
    PrivacySecret keys = privacy.keys();
    int partition = shard.partition();
    int[] drawn = PoissonSampler.sample(keys.samplingSeed(round, step, partition), shard.rows(),
        privacy.samplingRate());
    // An empty draw still adds noise: an update must not reveal that nobody was sampled.
    DataSet batch = drawn.length == 0 ? null
        : task.batch(shard, drawn, 0, drawn.length, round);
    DpSgdStep dp = new DpSgdStep(privacy.clipNorm(), privacy.noiseMultiplier(),
        privacy.microbatchSize(), Math.max(privacy.microbatchSize(),
            privacy.samplingRate() * shard.rows()));
    return dp.apply(net, batch, keys.noise(round, step, partition));
  }
}
