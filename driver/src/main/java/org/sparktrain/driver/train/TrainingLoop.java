package org.sparktrain.driver.train;

import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.privacy.PrivateRun;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.driver.train.state.TrainingListener;
import org.sparktrain.driver.train.sync.SyncChoice;
import org.sparktrain.driver.train.sync.SyncStrategy;
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
 * stretches that end where the driver needs the snapshot ({@link Boundaries}) and hands each to a
 * {@link SyncStrategy}, which decides who averages; a stretch that diverged goes back as
 * {@link DivergenceRollback} says.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  private final JobSpec spec;
  private final NetworkConfig conf;
  private final Network driverNet;
  /** The spec's settings: the learning rate before any rollback. */
  private final TrainerSettings settings;
  /** A private run's accounting; null for ordinary training. */
  private final PrivateRun privateRun;
  private final Boundaries boundaries;
  private final TrainingEngine engine;
  /** Trains with {@link #settings} at {@link #learningRateScale}. */
  private SyncStrategy strategy;
  private double learningRateScale = 1;

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
    this(TrainingSetup.of(sc, spec, data, privacySecret), sc, spec, data, sync);
  }

  private TrainingLoop(TrainingSetup setup, JavaSparkContext sc, JobSpec spec, PreparedData data,
      SyncChoice sync) {
    this(spec, setup, data.counts().validation() > 0,
        new SparkEngine(sc, spec, data, setup, sync));
  }

  /**
   * A loop that trains {@code setup}'s network with {@code engine} (a test's, without Spark).
   *
   * @param validates whether there is validation data
   */
  TrainingLoop(JobSpec spec, TrainingSetup setup, boolean validates, TrainingEngine engine) {
    this.spec = spec;
    this.conf = setup.conf();
    this.driverNet = setup.driverNet();
    this.settings = setup.settings();
    this.privateRun = setup.privateRun();
    this.boundaries = Boundaries.of(spec, settings.schedule(), totalRounds(), validates);
    this.engine = engine;
    this.strategy = engine.strategy(1);
  }

  /** From now on, train with the spec's learning rate times {@code scale}. */
  private void useLearningRateScale(double scale) {
    if (scale != learningRateScale) {
      strategy = engine.strategy(scale);
      learningRateScale = scale;
    }
  }

  /** Drops what the loop cached beyond the prepared data (which its owner releases). */
  public void release() {
    engine.release();
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

  public TrainedModel run(TrainingListener listener) {
    return run(listener, freshStart());
  }

  /**
   * Trains from {@code from} to the last round, stretch by stretch: train it, go back if it
   * diverged, validate, tell the listener (which checkpoints), and stop early where the
   * validations say so.
   */
  public TrainedModel run(TrainingListener listener, Progress from) {
    EpochSchedule schedule = settings.schedule();
    long totalRounds = boundaries.totalRounds();
    logPlan();
    long start = System.nanoTime();
    RunState state = new RunState(from, spec.train().earlyStopping());
    DivergenceRollback rollback = new DivergenceRollback(spec.train(), from);
    useLearningRateScale(state.rollbacks().learningRateScale());
    logResume(from);
    while (state.goesOn(totalRounds)) {
      long round = state.round();
      long until = round + Math.min(boundaries.next(round) - round, strategy.maxRoundsPerRun());
      long last = until - 1;
      RoundEmitter emitter = new RoundEmitter(state.history(), listener, schedule, round);
      SyncStrategy.Stretch stretch = strategy.run(state.snapshot(), round, until,
          emitter.liveBefore(last), listener.checkpointSlices(until, schedule));
      long diverged = Divergence.firstDiverged(stretch);
      if (diverged >= 0) {
        // The rounds up to the diverged one go to the metrics; nothing reaches a checkpoint.
        emitter.emitThrough(stretch, diverged);
        Progress back = rollback.goBack(stretch, diverged, state.rollbacks(),
            listener::lastCheckpoint);
        useLearningRateScale(back.rollbacks().learningRateScale());
        state.goBackTo(back);
        listener.onRollback(back);
        continue;
      }
      Map<String, Double> validation = boundaries.validatesAfter(last)
          ? engine.validate(stretch.end().params()) : null;
      emitter.emitAll(stretch, last, validation);
      state.advance(stretch.end(), until, emitter.examples(), validation);
      listener.onBoundary(state.progress(secondsSince(from, start), stretch.checkpointFiles()),
          schedule);
    }
    String earlyStop = state.earlyStop(totalRounds);
    if (earlyStop != null) {
      LOG.info("{}", earlyStop);
    }
    return trainedModel(state, state.end(from.nextRound(), secondsSince(from, start)));
  }

  private void logPlan() {
    EpochSchedule schedule = settings.schedule();
    LOG.info("training: {} epochs x {} rounds, {} steps per epoch per worker, H={}, {} workers, "
        + "{} ND4J threads per worker, {} synchronization ({})", spec.train().epochs(),
        schedule.roundsPerEpoch(), schedule.stepsPerEpoch(), spec.train().averagingFrequency(),
        spec.train().workers(), settings.threadsPerWorker(), strategy.name(),
        engine.syncReason());
  }

  private void logResume(Progress from) {
    if (from.nextRound() > 0) {
      LOG.info("resuming at round {} of {} (epoch {})", from.nextRound(), totalRounds(),
          settings.schedule().plan(Math.min(from.nextRound(), totalRounds() - 1)).epoch() + 1);
    }
  }

  /** Training time across resumes: {@code from}'s and this run's since {@code startNanos}. */
  private static double secondsSince(Progress from, long startNanos) {
    return from.trainSeconds() + (System.nanoTime() - startNanos) / 1e9;
  }

  /** The driver's network holding the model's parameters, with the run's history. */
  private TrainedModel trainedModel(RunState state, Progress last) {
    ModelSnapshot merged = state.snapshot().withStatesMerged();
    float[] modelParams = state.modelParams();
    PartitionTrainer.load(driverNet, new ModelSnapshot(modelParams, merged.optimizerStates(),
        merged.iteration(), merged.epoch()));
    return new TrainedModel(driverNet, settings.configJson(), state.history(), state.examples(),
        last.trainSeconds(), last, modelParams, state.earlyStoppingSummary());
  }

  /**
   * The end (exclusive) of the stretch starting at {@code round}: the first later point where
   * the driver needs the snapshot (see {@link Boundaries}).
   */
  long nextBoundary(long round) {
    return boundaries.next(round);
  }

  public EvalResult evaluate(JavaRDD<ExampleBlock> blocks, float[] params) {
    return engine.evaluate(blocks, params);
  }
}
