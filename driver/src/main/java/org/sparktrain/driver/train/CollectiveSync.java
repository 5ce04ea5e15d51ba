package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.TrainerSettings;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * {@code train.sync: collective}: one Spark barrier job per stretch of rounds (up to the next
 * validation, checkpoint or epoch end). The workers average among themselves over TCP
 * ({@link CollectiveTask}); the driver sends the starting snapshot once and gets the figures of
 * every round and the snapshot at the end. A failed worker fails the barrier stage, Spark reruns
 * all of its tasks from the same starting snapshot, and since every round is deterministic the
 * rerun gives the same bytes.
 */
final class CollectiveSync implements SyncStrategy {
  /** How long a worker waits for a peer's connection or next message by default. */
  static final long DEFAULT_PEER_TIMEOUT_S = 600;
  static final String PEER_TIMEOUT_KEY = "spark.sparktrain.sync.peerTimeoutSeconds";
  private static final ClassTag<StretchResult> RESULT = ClassTag$.MODULE$.apply(
      StretchResult.class);

  private final JavaSparkContext sc;
  private final JavaRDD<ExampleBlock> shards;
  private final TrainerSettings settings;
  private final boolean averageState;
  private final long peerTimeoutMs;

  CollectiveSync(JavaSparkContext sc, JavaRDD<ExampleBlock> shards, TrainerSettings settings,
      boolean averageState) {
    this.sc = sc;
    this.shards = shards;
    this.settings = settings;
    this.averageState = averageState;
    this.peerTimeoutMs = sc.getConf().getLong(PEER_TIMEOUT_KEY, DEFAULT_PEER_TIMEOUT_S) * 1000;
  }

  @Override
  public long maxRoundsPerRun() {
    return Long.MAX_VALUE;
  }

  @Override
  public String name() {
    return "collective";
  }

  @Override
  public Stretch run(ModelSnapshot from, long first, long until) {
    long start = System.nanoTime();
    Broadcast<ModelSnapshot> shared = sc.broadcast(from);
    try {
      sc.setJobDescription("rounds " + first + "-" + (until - 1) + " (collective)");
      RDD<StretchResult> results = shards.rdd().barrier().mapPartitions(
          new CollectiveTask(settings, shared, first, until, averageState, peerTimeoutMs),
          false, RESULT);
      // collect() returns the workers in partition order.
      List<StretchResult> workers = JavaRDD.fromRDD(results, RESULT).collect();
      return assemble(workers, first, until, (System.nanoTime() - start) / 1e6);
    } finally {
      shared.destroy();
    }
  }

  private Stretch assemble(List<StretchResult> workers, long first, long until, double jobMs) {
    StretchResult lead = workers.get(0);
    int rounds = (int) (until - first);
    double roundsMs = 0;
    for (long w : lead.wallNanos()) {
      roundsMs += w / 1e6;
    }
    List<RoundOutcome> outcomes = new ArrayList<>();
    EpochSchedule.RoundPlan plan = null;
    for (int i = 0; i < rounds; i++) {
      plan = settings.schedule().plan(first + i);
      long bytes = 0;
      for (StretchResult w : workers) {
        bytes += w.bytesSent()[i];
      }
      // The job's launch and the snapshot's broadcast belong to no round: the first carries them.
      double overheadMs = i == 0 ? Math.max(0, jobMs - roundsMs) : 0;
      outcomes.add(new RoundOutcome(plan, lead.meanLoss()[i], lead.examples()[i],
          lead.wallNanos()[i] / 1e6 + overheadMs, lead.maxComputeNanos()[i] / 1e6,
          lead.averageNanos()[i] / 1e6, bytes));
    }
    return new Stretch(outcomes, new ModelSnapshot(lead.params(), states(workers),
        plan.iteration() + plan.steps(), plan.epoch()));
  }

  private float[][] states(List<StretchResult> workers) {
    if (workers.get(0).state().length == 0) {
      return new float[0][];
    }
    if (averageState) {
      return new float[][] {workers.get(0).state()};
    }
    float[][] states = new float[workers.size()][];
    for (StretchResult w : workers) {
      states[w.partition()] = w.state();
    }
    return states;
  }
}
