package org.sparktrain.driver.train.sync;

import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.driver.train.SparkNativeKernels;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.worker.backend.NativeMemory;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.optim.OuterOptimizer;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.ParameterAccumulator;
import org.sparktrain.worker.train.PartitionTrainer;
import org.sparktrain.worker.train.TrainerSettings;
import org.sparktrain.worker.train.WorkerResult;

/**
 * {@code train.sync: driver}: one Spark job per round. The driver broadcasts the snapshot, every
 * shard trains H steps from it, and the driver averages the returned parameters (and optimizer
 * state) in partition order. Works on any cluster, dynamic allocation included; the driver's
 * traffic grows with the number of workers.
 */
public final class DriverSync implements SyncStrategy {
  private final JavaSparkContext sc;
  private final JavaRDD<ExampleBlock> shards;
  private final TrainerSettings settings;
  private final Averaging averaging;
  /**
   * The round's sums, cleared and reused every round: the arrays it keeps (the sums, and the
   * quotients {@link ParameterAccumulator} divides into) are model-sized, and the driver
   * averages once per round.
   */
  private final ParameterAccumulator sum = new ParameterAccumulator();

  public DriverSync(JavaSparkContext sc, JavaRDD<ExampleBlock> shards, TrainerSettings settings,
      Averaging averaging) {
    this.sc = sc;
    this.shards = shards;
    this.settings = settings;
    this.averaging = averaging;
  }

  @Override
  public long maxRoundsPerRun() {
    return 1;
  }

  @Override
  public String name() {
    return "driver";
  }

  @Override
  public Stretch run(ModelSnapshot from, long first, long until,
      Consumer<RoundOutcome> live, SliceWriter slices) {
    long roundStart = System.nanoTime();
    EpochSchedule.RoundPlan plan = settings.schedule().plan(first);
    // The outer momentum stays on the driver: workers only train.
    List<WorkerResult> results = trainOneRound(from.withoutOuterMomentum(), plan);
    long averageStart = System.nanoTime();
    sum.clear();
    // The driver forms each worker's contribution (bfloat16 changes are computed here from the
    // full results, so this strategy moves float32 either way).
    results.forEach(r -> sum.add(averaging.contribution(r, from)));
    ModelSnapshot next = next(from, sum, results, plan);
    long end = System.nanoTime();
    RoundOutcome outcome = new RoundOutcome(plan, sum.meanLoss(), sum.examples(),
        (end - roundStart) / 1e6, sum.maxComputeNanos() / 1e6, (end - averageStart) / 1e6,
        next.withoutOuterMomentum().sizeBytes() * results.size() + sum.resultBytes());
    // The driver holds every result: it writes the checkpoint itself.
    return new Stretch(List.of(outcome), next, List.of());
  }

  /** One Spark job: each shard trains from the broadcast snapshot; results in partition order. */
  private List<WorkerResult> trainOneRound(ModelSnapshot snapshot, EpochSchedule.RoundPlan plan) {
    TrainerSettings s = settings;
    Broadcast<ModelSnapshot> shared = sc.broadcast(snapshot);
    try {
      sc.setJobDescription("round " + plan.round() + " (epoch " + plan.epoch() + ")");
      // collect() returns results in partition order, so the average is summed in a fixed order
      // and a run is bitwise reproducible.
      return shards.map(shard -> {
        SparkNativeKernels.chooseInTask();
        return NativeMemory.guard("training shard " + shard.partition(),
            () -> new PartitionTrainer(s).run(shard, shared.value(), plan));
      }).collect();
    } finally {
      shared.destroy();
    }
  }

  private ModelSnapshot next(ModelSnapshot from, ParameterAccumulator sum,
      List<WorkerResult> results, EpochSchedule.RoundPlan plan) {
    float[][] states;
    if (results.get(0).optimizerState().length == 0) {
      states = new float[0][];
    } else if (averaging.averageState()) {
      states = new float[][] {averaging.state(from, sum.averageState())};
    } else {
      states = new float[results.size()][];
      for (WorkerResult r : results) {
        states[r.partition()] = r.optimizerState();
      }
    }
    OuterOptimizer.Step params = averaging.params(from, sum.averageParams());
    return new ModelSnapshot(params.params(), states, plan.iteration() + plan.steps(),
        plan.epoch(), params.momentum());
  }
}
