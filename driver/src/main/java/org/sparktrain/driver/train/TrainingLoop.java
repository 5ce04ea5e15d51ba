package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.privacy.PrivateRun;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkConfig;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.PartitionTrainer;
import org.sparktrain.worker.train.TrainerSettings;

/**
 * Synchronous parameter averaging. Each round every shard runs H local steps from the same
 * snapshot and the results are averaged, weighted by examples. The loop cuts the run into
 * stretches that end where the driver needs the snapshot (validation, epoch end, round-count
 * checkpoint) and hands each to a {@link SyncStrategy}, which decides who averages.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  /** Told about every finished round (metrics files, progress display, checkpoints). */
  public interface Listener {
    /** A round's metrics, in order, every round. */
    void onRound(RoundMetrics metrics, EpochSchedule schedule);

    /**
     * The snapshot after the rounds so far, at every point where the driver holds one: after
     * every round with the driver strategy, at validations, epoch ends and round-count
     * checkpoints with the collective one.
     */
    default void onBoundary(Progress after, EpochSchedule schedule) {}

    /**
     * Asked before each stretch: where its workers should write their slices of a checkpoint
     * that will be taken when the driver next holds the snapshot, after round
     * {@code boundary - 1}; null when none is due then.
     */
    default SliceWriter checkpointSlices(long boundary, EpochSchedule schedule) {
      return null;
    }

    /**
     * Where a run that diverged goes back to: its last committed checkpoint, once the writes in
     * flight have ended; null when there is none (the loop then goes back to where this run
     * started).
     */
    default Progress lastCheckpoint() {
      return null;
    }

    /**
     * Training went back to {@code to} after a divergence: the rounds after it are undone, and
     * what was shown or written of them (metrics.jsonl, the report) must follow
     * {@code to.history()}.
     */
    default void onRollback(Progress to) {}
  }

  /**
   * Everything needed to continue a run exactly: where a run starts, and what a checkpoint saves.
   *
   * @param nextRound the first round still to run
   * @param history metrics of the rounds already run
   * @param trainSeconds training wall time spent so far (across resumes)
   * @param best with early stopping, the best validated parameters so far; else null
   * @param checkpointFiles the slices of this snapshot's checkpoint that the workers already
   *     wrote (see {@link Listener#checkpointSlices}); empty when the driver writes it all
   * @param rollbacks the rollbacks after divergence so far, and the learning-rate scale they left
   */
  public record Progress(ModelSnapshot snapshot, long nextRound, List<RoundMetrics> history,
      long examples, double trainSeconds, Best best,
      List<SliceWriter.WrittenFile> checkpointFiles, Rollbacks rollbacks) {

    /** Progress without early stopping. */
    public Progress(ModelSnapshot snapshot, long nextRound, List<RoundMetrics> history,
        long examples, double trainSeconds) {
      this(snapshot, nextRound, history, examples, trainSeconds, null);
    }

    /** Progress whose checkpoint the driver writes whole. */
    public Progress(ModelSnapshot snapshot, long nextRound, List<RoundMetrics> history,
        long examples, double trainSeconds, Best best) {
      this(snapshot, nextRound, history, examples, trainSeconds, best, List.of(),
          Rollbacks.NONE);
    }

    Progress withRollbacks(Rollbacks now) {
      return new Progress(snapshot, nextRound, history, examples, trainSeconds, best,
          checkpointFiles, now);
    }
  }

  /** The parameters after round {@code round}, the best validated so far. */
  public record Best(long round, float[] params) {}

  /**
   * How often a run went back after diverging ({@code train.onDivergence}), and the factor its
   * learning rate now carries: the spec's rate times {@code learningRateScale}.
   */
  public record Rollbacks(int count, double learningRateScale) {
    public static final Rollbacks NONE = new Rollbacks(0, 1);

    Rollbacks next(double factor) {
      return new Rollbacks(count + 1, learningRateScale * factor);
    }
  }

  private final JavaSparkContext sc;
  private final JobSpec spec;
  private final PreparedData data;
  /** The shards trained on: the prepared ones, or a distilled run's with soft targets. */
  private final JavaRDD<ExampleBlock> shards;
  /** The spec's settings: the learning rate before any rollback. */
  private final TrainerSettings settings;
  private final NetworkConfig conf;
  private final Network driverNet;
  private final LanguageModelMetrics languageModelMetrics;
  private final JobSpec.SyncMode syncMode;
  private final Averaging averaging;
  private final String syncReason;
  /** Trains with {@link #settings} at {@link #learningRateScale}. */
  private SyncStrategy strategy;
  private double learningRateScale = 1;
  /** A private run's accounting; null for ordinary training. */
  private final PrivateRun privateRun;

  /** A loop for {@code spec} on this cluster, choosing the synchronization from the spec. */
  public TrainingLoop(JavaSparkContext sc, JobSpec spec, PreparedData data) {
    this(sc, spec, data, SyncChoice.resolve(sc, spec.train().sync(), spec.train().workers()));
  }

  /** @param sync the synchronization already resolved for this cluster */
  public TrainingLoop(JavaSparkContext sc, JobSpec spec, PreparedData data, SyncChoice sync) {
    this(sc, spec, data, sync, null);
  }

  /**
   * @param privacySecret a private run's secret (the one its checkpoints keep, when it
   *     resumes); null for a fresh one
   */
  public TrainingLoop(JavaSparkContext sc, JobSpec spec, PreparedData data, SyncChoice sync,
      byte[] privacySecret) {
    this.sc = sc;
    this.spec = spec;
    this.data = data;
    TrainingSetup setup = TrainingSetup.of(sc, spec, data, privacySecret);
    this.privateRun = setup.privateRun();
    this.conf = setup.conf();
    this.driverNet = setup.driverNet();
    this.settings = setup.settings();
    this.shards = setup.shards();
    this.languageModelMetrics = new LanguageModelMetrics(sc, spec, data, settings);
    this.syncReason = sync.reason();
    JobSpec.Train t = spec.train();
    this.averaging = new Averaging(t.averageOptimizerState(), t.syncPrecision(), t.outer());
    this.syncMode = sync.mode();
    this.strategy = strategy(settings);
  }

  private SyncStrategy strategy(TrainerSettings trainWith) {
    return syncMode == JobSpec.SyncMode.COLLECTIVE
        ? new CollectiveSync(sc, shards, data.shardRows(), trainWith, averaging)
        : new DriverSync(sc, shards, trainWith, averaging);
  }

  /** From now on, train with the spec's learning rate times {@code scale}. */
  private void useLearningRateScale(double scale) {
    if (scale != learningRateScale) {
      strategy = strategy(TrainingSetup.withLearningRateScaled(spec, data, settings, scale));
      learningRateScale = scale;
    }
  }

  /** Drops what the loop cached beyond the prepared data (which its owner releases). */
  public void release() {
    if (shards != data.train()) {
      shards.unpersist(false);
    }
  }

  /** The synchronization this run uses: "driver" or "collective". */
  public String syncStrategy() {
    return strategy.name();
  }

  /** The settings the spec gives (a rollback's lower learning rate is not in them). */
  public TrainerSettings settings() {
    return settings;
  }

  /** The network's DL4J configuration (for memory estimates). */
  public NetworkConfig configuration() {
    return conf;
  }

  /** The bytes of one worker's result: its parameters and its optimizer state. */
  public long workerResultBytes() {
    INDArray state = driverNet.updaterState();
    return (driverNet.params().length() + (state == null ? 0 : state.length())) * Float.BYTES;
  }

  /** The parameters the run starts from (the network's seeded initialisation). */
  public ModelSnapshot initialSnapshot() {
    INDArray state = driverNet.updaterState();
    float[][] states;
    if (state == null) {
      states = new float[0][];
    } else if (spec.train().averageOptimizerState()) {
      states = new float[][] {NativeArrays.toFloats(state)};
    } else {
      states = new float[spec.train().workers()][];
      for (int i = 0; i < states.length; i++) {
        states[i] = NativeArrays.toFloats(state);
      }
    }
    return new ModelSnapshot(NativeArrays.toFloats(driverNet.params()), states, 0, 0);
  }

  public Progress freshStart() {
    return new Progress(initialSnapshot(), 0, List.of(), 0, 0);
  }

  /** The rounds the spec's epochs take, or fewer where a privacy budget ends the run. */
  public long totalRounds() {
    long rounds = (long) settings.schedule().roundsPerEpoch() * spec.train().epochs();
    return privateRun == null ? rounds
        : privateRun.roundsWithinBudget(settings.schedule(), rounds);
  }

  /** A private run's accounting, or null. */
  public PrivateRun privateRun() {
    return privateRun;
  }

  /** A private run's secret, for its checkpoints only; null otherwise. */
  public byte[] privacySecret() {
    return settings.privacy() == null ? null : settings.privacy().secret();
  }

  public TrainedModel run(Listener listener) {
    return run(listener, freshStart());
  }

  public TrainedModel run(Listener listener, Progress from) {
    EpochSchedule schedule = settings.schedule();
    long totalRounds = totalRounds();
    LOG.info("training: {} epochs x {} rounds, {} steps per epoch per worker, H={}, {} workers, "
        + "{} ND4J threads per worker, {} synchronization ({})", spec.train().epochs(),
        schedule.roundsPerEpoch(), schedule.stepsPerEpoch(), spec.train().averagingFrequency(),
        spec.train().workers(), settings.threadsPerWorker(), strategy.name(), syncReason);
    ModelSnapshot snapshot = from.snapshot();
    List<RoundMetrics> history = new ArrayList<>(from.history());
    long examples = from.examples();
    long start = System.nanoTime();
    EarlyStopper stopper = spec.train().earlyStopping() == null ? null
        : EarlyStopper.replay(spec.train().earlyStopping(), from.history());
    Best best = from.best();
    Rollbacks rollbacks = from.rollbacks();
    useLearningRateScale(rollbacks.learningRateScale());
    if (from.nextRound() > 0) {
      LOG.info("resuming at round {} of {} (epoch {})", from.nextRound(), totalRounds,
          schedule.plan(Math.min(from.nextRound(), totalRounds - 1)).epoch() + 1);
    }
    long round = from.nextRound();
    Long stoppedAfter = stopper != null && stopper.exhausted() ? round - 1 : null;
    while (round < totalRounds && stoppedAfter == null) {
      long until = round + Math.min(nextBoundary(round) - round, strategy.maxRoundsPerRun());
      long last = until - 1;
      RoundEmitter emitter = new RoundEmitter(history, listener, schedule, round);
      // Rounds before the stretch's last are shown as they end; the last waits for the snapshot
      // (its validation needs it).
      SyncStrategy.Stretch stretch = strategy.run(snapshot, round, until, o -> {
        if (o.plan().round() < last) {
          emitter.emit(o, null);
        }
      }, listener.checkpointSlices(until, schedule));
      long diverged = Divergence.firstDiverged(stretch);
      if (diverged >= 0) {
        // The rounds up to the diverged one go to the metrics; nothing reaches a checkpoint.
        SyncStrategy.RoundOutcome bad = null;
        for (SyncStrategy.RoundOutcome o : stretch.rounds()) {
          if (o.plan().round() <= diverged) {
            emitter.emit(o, null);
          }
          if (o.plan().round() == diverged) {
            bad = o;
          }
        }
        JobSpec.OnDivergence policy = spec.train().onDivergence();
        if (rollbacks.count() >= policy.rollbacks()) {
          throw Divergence.error(diverged, bad.plan().epoch(), bad.meanLoss(),
              spec.train().optimizer(), rollbacks);
        }
        Progress checkpointed = listener.lastCheckpoint();
        Progress back = (checkpointed != null ? checkpointed : from).withRollbacks(
            rollbacks.next(policy.learningRateFactor()));
        rollbacks = back.rollbacks();
        LOG.warn("training diverged at round {} ({}); going back to {} with the learning rate "
            + "times {} (rollback {} of at most {})", diverged, Divergence.what(bad.meanLoss()),
            describe(back), rollbacks.learningRateScale(), rollbacks.count(),
            policy.rollbacks());
        useLearningRateScale(rollbacks.learningRateScale());
        snapshot = back.snapshot();
        history.clear();
        history.addAll(back.history());
        examples = back.examples();
        best = back.best();
        stopper = stopper == null ? null
            : EarlyStopper.replay(spec.train().earlyStopping(), back.history());
        round = back.nextRound();
        listener.onRollback(back);
        continue;
      }
      snapshot = stretch.end();
      Map<String, Double> validation = validatesAfter(last)
          ? validationMetrics(snapshot.params()) : null;
      for (SyncStrategy.RoundOutcome o : stretch.rounds()) {
        emitter.emit(o, o.plan().round() == last ? validation : null);
      }
      examples += emitter.examples();
      if (stopper != null && validation != null) {
        if (stopper.observe(last, validation)) {
          best = new Best(last, snapshot.params());
        }
        if (stopper.exhausted()) {
          stoppedAfter = last;
        }
      }
      listener.onBoundary(new Progress(snapshot, until,
          java.util.Collections.unmodifiableList(history), examples,
          from.trainSeconds() + (System.nanoTime() - start) / 1e9, best,
          stretch.checkpointFiles(), rollbacks), schedule);
      round = until;
    }
    if (stoppedAfter != null) {
      LOG.info("early stopping after round {} of {}: {}; the model is round {}'s parameters",
          stoppedAfter, totalRounds, stopper.describe(), stopper.bestRound());
    }
    double seconds = from.trainSeconds() + (System.nanoTime() - start) / 1e9;
    ModelSnapshot merged = snapshot.withStatesMerged();
    float[] modelParams = best != null ? best.params() : snapshot.params();
    PartitionTrainer.load(driverNet, new ModelSnapshot(modelParams, merged.optimizerStates(),
        merged.iteration(), merged.epoch()));
    TrainingLoop.Progress last = new Progress(snapshot, Math.max(from.nextRound(), round),
        List.copyOf(history), examples, seconds, best, List.of(), rollbacks);
    return new TrainedModel(driverNet, settings.configJson(), history, examples, seconds, last,
        modelParams, stopper == null ? null : stopper.summary(stoppedAfter));
  }

  /** Where a rollback goes: "the run's start" or "the end of round N". */
  public static String describe(Progress back) {
    return back.nextRound() == 0 ? "the run's start"
        : "the end of round " + (back.nextRound() - 1);
  }

  /**
   * Turns round outcomes into metrics for the history and the listener, each round once and in
   * order: a round shown live is not shown again when the stretch's result lists it.
   */
  private static final class RoundEmitter {
    private final List<RoundMetrics> history;
    private final Listener listener;
    private final EpochSchedule schedule;
    private long next;
    private long examples;

    RoundEmitter(List<RoundMetrics> history, Listener listener, EpochSchedule schedule,
        long first) {
      this.history = history;
      this.listener = listener;
      this.schedule = schedule;
      this.next = first;
    }

    void emit(SyncStrategy.RoundOutcome o, Map<String, Double> validation) {
      long r = o.plan().round();
      if (r != next) {
        return;
      }
      RoundMetrics metrics = new RoundMetrics(r, o.plan().epoch(), o.meanLoss(), o.examples(),
          o.wallMs(), o.computeMs(), Math.max(0, o.wallMs() - o.computeMs()), o.averageMs(),
          o.bytesMoved(), validation);
      history.add(metrics);
      examples += o.examples();
      next++;
      listener.onRound(metrics, schedule);
    }

    long examples() {
      return examples;
    }
  }

  /** Whether the rounds up to {@code round} are followed by a validation. */
  private boolean validatesAfter(long round) {
    return data.counts().validation() > 0
        && ((round + 1) % validateEvery() == 0 || round + 1 == totalRounds());
  }

  private int validateEvery() {
    return spec.eval().validateEveryRounds() > 0 ? spec.eval().validateEveryRounds()
        : settings.schedule().roundsPerEpoch();
  }

  /**
   * The end (exclusive) of the stretch starting at {@code round}: the first later point where
   * the driver needs the snapshot: a validation, an epoch's end, a checkpoint by round count,
   * or the last round. Time-based checkpoints are taken at the next such point.
   */
  long nextBoundary(long round) {
    long next = totalRounds();
    next = Math.min(next, nextMultiple(round, settings.schedule().roundsPerEpoch()));
    if (data.counts().validation() > 0) {
      next = Math.min(next, nextMultiple(round, validateEvery()));
    }
    if (spec.checkpoint().everyRounds() > 0) {
      next = Math.min(next, nextMultiple(round, spec.checkpoint().everyRounds()));
    }
    return next;
  }

  /** The smallest multiple of {@code every} above {@code round}. */
  private static long nextMultiple(long round, long every) {
    return (round / every + 1) * every;
  }

  public EvalResult evaluate(org.apache.spark.api.java.JavaRDD<org.sparktrain.worker.data
      .ExampleBlock> blocks, float[] params) {
    if (spec.model().kind().languageModel()) {
      // Language models are judged on validation loss; a text corpus has no test split.
      return EvalResult.empty(false, 0);
    }
    return DistributedEvaluator.evaluate(sc, blocks, params, settings.configJson(),
        spec.model().classification(), data.numClasses(), settings.threadsPerWorker(),
        settings.task());
  }

  /**
   * The validation metrics of one round: accuracy/F1 or MSE/MAE/R² from the evaluator, or a
   * language model's (see {@link LanguageModelMetrics}).
   */
  Map<String, Double> validationMetrics(float[] params) {
    if (spec.model().kind().languageModel()) {
      return languageModelMetrics.validate(params);
    }
    return evaluate(data.validation(), params).scalars();
  }
}
