package org.sparktrain.worker.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.SeedMixer;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkPool;
import org.sparktrain.worker.privacy.DpStepResult;

/**
 * One worker's share of one round: load the snapshot into this JVM's network, run the round's
 * local minibatch steps on the shard, and hand back parameters and optimizer state.
 *
 * <p>A pure function of (settings, snapshot, plan, shard): the shard order and the dropout
 * random stream derive from (seed, epoch or round, partition), so a retried task returns the same
 * bytes.
 */
public final class PartitionTrainer {
  private final TrainerSettings settings;

  public PartitionTrainer(TrainerSettings settings) {
    this.settings = settings;
  }

  public WorkerResult run(ExampleBlock shard, ModelSnapshot snapshot,
      EpochSchedule.RoundPlan plan) {
    return run(shard, snapshot, plan, null, null);
  }

  /**
   * {@link #run(ExampleBlock, ModelSnapshot, EpochSchedule.RoundPlan)}, writing the parameters
   * and optimizer state into {@code paramsInto} and {@code stateInto} where they fit (a caller
   * that trains round after round reuses them instead of allocating a model's worth of arrays
   * per round); null, or a wrong length, gets a new array.
   */
  public WorkerResult run(ExampleBlock shard, ModelSnapshot snapshot,
      EpochSchedule.RoundPlan plan, float[] paramsInto, float[] stateInto) {
    long start = System.nanoTime();
    ThreadLimits.apply(settings.threadsPerWorker());
    Network net = NetworkPool.borrow(settings.configJson());
    try {
      load(net, snapshot, shard.partition(), plan);
      Nd4j.getRandom().setSeed(SeedMixer.mix(settings.seed(), 2, plan.round(), shard.partition()));
      EpochSchedule schedule = settings.schedule();
      int[] order = schedule.permutation(plan.epoch(), shard.partition(), shard.rows());
      long examples = 0;
      double lossSum = 0;
      for (int step = plan.firstStep(); step < plan.firstStep() + plan.steps(); step++) {
        int from = schedule.batchStart(step);
        int to = schedule.batchEnd(step, shard.rows());
        if (settings.privacy() != null) {
          // DP-SGD: the step's own Poisson draw replaces the shuffled minibatch; the examples
          // counted (and weighted by in averaging) stay the schedule's, which are public, not
          // the draw's size, which would tell who was sampled.
          DpStepResult dp = PrivateStep.run(settings.privacy(), net, settings.task(), shard,
              plan.round(), step);
          if (settings.zeros() != null) {
            settings.zeros().apply(net.params());
          }
          lossSum += dp.examples() == 0 ? 0 : dp.meanLoss() * (to - from);
          examples += to - from;
          continue;
        }
        DataSet batch = settings.task().batch(shard, order, from, to, plan.round());
        net.fit(batch);
        if (settings.zeros() != null) {
          settings.zeros().apply(net.params());
        }
        // DL4J sums a sequence output's loss over the scored positions: report a language
        // model's loss per scored token, comparable with its validation loss.
        double score = net.score();
        if (settings.task().scoresTokens()) {
          score /= batch.getLabelsMaskArray() == null ? shard.width() - 1
              : batch.getLabelsMaskArray().sumNumber().doubleValue() / (to - from);
        }
        lossSum += score * (to - from);
        examples += to - from;
      }
      INDArray state = net.updaterState();
      return new WorkerResult(shard.partition(),
          NativeArrays.toFloats(net.params(), paramsInto),
          state == null ? new float[0] : NativeArrays.toFloats(state, stateInto), examples,
          lossSum, plan.steps(),
          System.nanoTime() - start);
    } finally {
      NetworkPool.giveBack(settings.configJson(), net);
    }
  }

  /** Loads a snapshot with one (or no) optimizer state into a network outside training. */
  public static void load(Network net, ModelSnapshot snapshot) {
    load(net, snapshot, 0, new EpochSchedule.RoundPlan(0, snapshot.epoch(), 0, 0, 0,
        snapshot.iteration()));
  }

  /** Overwrites every piece of training state the network carries between rounds. */
  public static void load(Network net, ModelSnapshot snapshot, int partition,
      EpochSchedule.RoundPlan plan) {
    NativeArrays.copyInto(net.params(), snapshot.params());
    INDArray stateView = net.updaterState();
    float[] state = snapshot.stateFor(partition);
    if (stateView != null) {
      if (state.length == 0) {
        stateView.assign(0);
      } else {
        NativeArrays.copyInto(stateView, state);
      }
    }
    net.setCounts(Math.toIntExact(plan.iteration()), plan.epoch());
  }
}
