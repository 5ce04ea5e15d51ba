package org.sparktrain.driver.train.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.driver.util.Retry;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.sync.LinkSecurity;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.TrainerSettings;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * {@code train.sync: collective}: one Spark barrier job per stretch of rounds (up to the next
 * validation, checkpoint or epoch end). The workers average among themselves over TCP
 * ({@link CollectiveTask}); the driver sends the starting snapshot once and gets the figures of
 * every round and the snapshot at the end. A failed worker fails the whole barrier job; the
 * stretch then runs again from the same starting snapshot, and since every round is
 * deterministic the rerun gives the same bytes.
 */
public final class CollectiveSync implements SyncStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(CollectiveSync.class);
  private static final ClassTag<StretchResult> RESULT = ClassTag$.MODULE$.apply(
      StretchResult.class);

  private final JavaSparkContext sc;
  private final JavaRDD<ExampleBlock> shards;
  private final TrainerSettings settings;
  private final Averaging averaging;
  private final PeerOptions peers;
  private final int[] shardRows;
  private final int attempts;
  private final String driverHost;

  /** @param shardRows the examples in each shard, by partition: what each worker must declare */
  public CollectiveSync(JavaSparkContext sc, JavaRDD<ExampleBlock> shards, int[] shardRows,
      TrainerSettings settings, Averaging averaging) {
    this.sc = sc;
    this.shards = shards;
    this.shardRows = shardRows.clone();
    this.settings = settings;
    this.averaging = averaging;
    this.peers = PeerOptions.from(sc.getConf());
    this.driverHost = sc.getConf().get("spark.driver.host", "127.0.0.1");
    this.attempts = attempts(sc.master(), sc.getConf().getInt("spark.task.maxFailures", 4));
    DataPlaneCredentials.warnIfUnauthenticated(sc.getConf(), LOG);
  }

  /**
   * As many tries as Spark gives an ordinary task. local[N] gives one (a failure there is not
   * a lost machine, and would fail again); local[N,F] asks for F, as it does of Spark.
   */
  static int attempts(String master, int maxFailures) {
    Matcher withFailures = Pattern
        .compile("local\\[[^,\\]]+,\\s*(\\d+)\\]").matcher(master);
    if (withFailures.matches()) {
      return Math.max(1, Integer.parseInt(withFailures.group(1)));
    }
    return SparkSetup.isLocalThreads(master) ? 1 : Math.max(1, maxFailures);
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
  public Stretch run(ModelSnapshot from, long first, long until,
      Consumer<RoundOutcome> live, SliceWriter slices) {
    long start = System.nanoTime();
    Broadcast<ModelSnapshot> shared = sc.broadcast(from);
    // Spark does not retry a failed barrier result stage: rerun the stretch from its starting
    // snapshot, which gives the same bytes, as Spark would retry a task.
    Retry rerun = Retry.attempts(attempts)
        .retryIf(e -> e instanceof SparkException)
        .onRetry((attempt, max, e, waitMs) -> LOG.warn("collective rounds {}-{} failed "
            + "(attempt {} of {}), running them again from round {}'s snapshot: {}", first,
            until - 1, attempt, max, first, e.getMessage()));
    try {
      return rerun.call(attempt -> runOnce(shared, first, until, live, slices, start));
    } catch (InterruptedException e) {
      // Unreachable: these attempts follow one another without a wait.
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted between attempts of collective rounds");
    } finally {
      shared.destroy();
    }
  }

  /**
   * One barrier job over the stretch. (Scala throws SparkException, a checked type, without
   * declaring it; {@link Retry} rethrows it as it came.)
   */
  private Stretch runOnce(Broadcast<ModelSnapshot> shared, long first, long until,
      Consumer<RoundOutcome> live, SliceWriter slices, long start) {
    sc.setJobDescription("rounds " + first + "-" + (until - 1) + " (collective)");
    // A fresh key per attempt: nothing a stranger learned of one attempt admits it to the next.
    DataPlaneCredentials credentials = DataPlaneCredentials.forAttempt(sc.getConf());
    LinkSecurity security = credentials.linkSecurity();
    try (RoundFeed feed = RoundFeed.open(driverHost, security, first, until,
            peers.timeoutMs(), f -> live.accept(outcome(f, 0)));
        Rendezvous rendezvous = Rendezvous.open(driverHost, shards.getNumPartitions(),
            security)) {
      RDD<StretchResult> results = shards.rdd().barrier().mapPartitions(
          new CollectiveTask(settings, shared, first, until, averaging, peers,
              credentials, shardRows, feed.address(), rendezvous.address(), slices),
          false, RESULT);
      // collect() returns the workers in partition order.
      List<StretchResult> workers = JavaRDD.fromRDD(results, RESULT).collect();
      return assemble(workers, (System.nanoTime() - start) / 1e6);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the driver's round feed or rendezvous on "
          + driverHost + ": " + e.getMessage(), e);
    }
  }

  private RoundOutcome outcome(StretchResult.RoundFigures f, double extraMs) {
    return new RoundOutcome(settings.schedule().plan(f.round()), f.meanLoss(), f.examples(),
        f.wallNanos() / 1e6 + extraMs, f.maxComputeNanos() / 1e6, f.averageNanos() / 1e6,
        f.bytes());
  }

  private Stretch assemble(List<StretchResult> workers, double jobMs) {
    List<StretchResult.RoundFigures> rounds = workers.get(0).rounds();
    double roundsMs = 0;
    for (StretchResult.RoundFigures f : rounds) {
      roundsMs += f.wallNanos() / 1e6;
    }
    List<RoundOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < rounds.size(); i++) {
      // The job's launch and the snapshot's broadcast belong to no round: the first carries them.
      outcomes.add(outcome(rounds.get(i), i == 0 ? Math.max(0, jobMs - roundsMs) : 0));
    }
    EpochSchedule.RoundPlan last = outcomes.get(outcomes.size() - 1).plan();
    return new Stretch(outcomes, new ModelSnapshot(workers.get(0).params(), states(workers),
        last.iteration() + last.steps(), last.epoch(), workers.get(0).outerMomentum()),
        checkpointFiles(workers));
  }

  /** Every worker's checkpoint slices, or none when any worker could not write its own. */
  private static List<SliceWriter.WrittenFile> checkpointFiles(List<StretchResult> workers) {
    List<SliceWriter.WrittenFile> files = new ArrayList<>();
    for (StretchResult w : workers) {
      if (w.checkpointFiles().isEmpty()) {
        return List.of();
      }
      files.addAll(w.checkpointFiles());
    }
    return files;
  }

  private float[][] states(List<StretchResult> workers) {
    if (workers.get(0).state().length == 0) {
      return new float[0][];
    }
    if (averaging.averageState()) {
      return new float[][] {workers.get(0).state()};
    }
    float[][] states = new float[workers.size()][];
    for (StretchResult w : workers) {
      states[w.partition()] = w.state();
    }
    return states;
  }
}
