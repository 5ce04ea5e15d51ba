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
      // A private run draws each step's batch itself (PrivateStep): no epoch order to follow.
      int[] order = settings.privacy() != null ? null
          : schedule.permutation(plan.epoch(), shard.partition(), shard.rows());
      long examples = 0;
      double lossSum = 0;
      for (int step = plan.firstStep(); step < plan.firstStep() + plan.steps(); step++) {
        int from = schedule.batchStart(step);
        int to = schedule.batchEnd(step, shard.rows());
        double meanLoss = settings.privacy() != null
            ? privateStep(net, shard, plan.round(), step)
            : fit(net, shard, order, from, to, plan.round());
        if (settings.zeros() != null) {
          settings.zeros().apply(net.params());
        }
        // A private step's examples stay the schedule's, which are public (and weight the
        // average), not the draw's size, which would tell who was sampled.
        lossSum += meanLoss * (to - from);
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

  /** One ordinary step on rows {@code order[from..to)}; the batch's mean loss per example. */
  private double fit(Network net, ExampleBlock shard, int[] order, int from, int to,
      long round) {
    DataSet batch = settings.task().batch(shard, order, from, to, round);
    net.fit(batch);
    // DL4J sums a sequence output's loss over the scored positions: report a language
    // model's loss per scored token, comparable with its validation loss.
    double score = net.score();
    if (settings.task().scoresTokens()) {
      score /= batch.getLabelsMaskArray() == null ? shard.width() - 1
          : batch.getLabelsMaskArray().sumNumber().doubleValue() / (to - from);
    }
    return score;
  }

  /** One DP-SGD step; the mean loss of the examples it drew (0 when it drew none). */
  private double privateStep(Network net, ExampleBlock shard, long round, int step) {
    DpStepResult dp = PrivateStep.run(settings.privacy(), net, settings.task(), shard, round,
        step);
    return dp.examples() == 0 ? 0 : dp.meanLoss();
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
