package org.sparktrain.driver.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongToDoubleFunction;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.driver.train.state.Rollbacks;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.driver.train.state.TrainingListener;
import org.sparktrain.driver.train.sync.SyncStrategy;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.model.NetworkConfig;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.Task;
import org.sparktrain.worker.train.TrainerSettings;

/**
 * The loop on its own, without Spark: a toy engine trains a real (tiny) network's parameters by
 * a deterministic rule, so where stretches end, what the listener hears, where a rollback goes
 * and where early stopping ends are exact.
 */
class TrainingLoopTest {
  /** 16 rows, batches of 4, H=1: 4 rounds per epoch, 3 epochs. */
  private static final EpochSchedule SCHEDULE = new EpochSchedule(16, 4, 1, 7);
  private static final int ROUNDS = 12;
  private static final long EXAMPLES_PER_ROUND = 16;

  @Test
  void stretchesEndAtValidationsAndEpochEndsAndEveryRoundIsHeardOnceInOrder() {
    ToyEngine engine = new ToyEngine(Long.MAX_VALUE);
    TrainingLoop loop = loop("", "eval: {validateEveryRounds: 3}\n", engine);
    float[] start = loop.initialSnapshot().params();
    Recorder listener = new Recorder();
    TrainedModel model = loop.run(listener);

    assertThat(engine.stretches).containsExactly("0-3", "3-4", "4-6", "6-8", "8-9", "9-12");
    assertThat(listener.boundaries).containsExactly(3L, 4L, 6L, 8L, 9L, 12L);
    assertThat(listener.rounds).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L,
        11L);
    assertThat(model.history()).extracting(m -> m.validation() != null)
        .containsExactly(false, false, true, false, false, true, false, false, true, false,
            false, true);
    assertThat(model.examples()).isEqualTo(ROUNDS * EXAMPLES_PER_ROUND);
    assertThat(model.params()).isEqualTo(ToyEngine.train(start, 1, ROUNDS));
    assertThat(NativeArrays.toFloats(model.network().params())).isEqualTo(model.params());
  }

  @Test
  void aStrategyOfOneRoundPerRunHandsTheSnapshotBackEveryRound() {
    ToyEngine engine = new ToyEngine(1);
    Recorder listener = new Recorder();
    loop("", "", engine).run(listener);
    assertThat(engine.stretches).hasSize(ROUNDS).startsWith("0-1", "1-2").endsWith("11-12");
    assertThat(listener.boundaries).hasSize(ROUNDS);
  }

  @Test
  void aDivergedRunGoesBackToItsStartWithTheLowerRateAndEndsAsARunStartedWithIt() {
    ToyEngine engine = new ToyEngine(Long.MAX_VALUE).divergingAt(5, 0.9);
    TrainingLoop loop = loop("onDivergence: {rollbacks: 2, learningRateFactor: 0.5}", "", engine);
    float[] start = loop.initialSnapshot().params();
    Recorder listener = new Recorder();
    TrainedModel model = loop.run(listener);

    assertThat(engine.scales).containsExactly(1.0, 0.5);
    assertThat(listener.rollbacks).extracting(Progress::nextRound).containsExactly(0L);
    // The rounds up to the diverged one were shown, then undone; the run shows all 12 again.
    assertThat(listener.rounds).startsWith(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(listener.rounds.subList(listener.rounds.size() - ROUNDS, listener.rounds.size()))
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    assertThat(model.history()).extracting(RoundMetrics::round)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    assertThat(model.finalProgress().rollbacks()).isEqualTo(new Rollbacks(1, 0.5));
    assertThat(model.params()).isEqualTo(ToyEngine.train(start, 0.5, ROUNDS));
  }

  @Test
  void aDivergedRunGoesBackToItsLastCheckpoint() {
    ToyEngine engine = new ToyEngine(1).divergingAt(5, 0.9);
    TrainingLoop loop = loop("onDivergence: {rollbacks: 2, learningRateFactor: 0.5}", "", engine);
    float[] start = loop.initialSnapshot().params();
    Recorder listener = new Recorder();
    listener.checkpointEvery = 4;
    TrainedModel model = loop.run(listener);

    assertThat(listener.rollbacks).extracting(Progress::nextRound).containsExactly(4L);
    assertThat(model.history()).extracting(RoundMetrics::round)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    float[] atCheckpoint = ToyEngine.train(start, 1, 4);
    assertThat(model.params()).isEqualTo(ToyEngine.train(atCheckpoint, 0.5, ROUNDS - 4));
    assertThat(model.examples()).isEqualTo(ROUNDS * EXAMPLES_PER_ROUND);
  }

  @Test
  void aRunThatDivergesOnceItsRollbacksAreSpentEndsWithTheError() {
    ToyEngine engine = new ToyEngine(Long.MAX_VALUE).divergingAt(5, 0.3);
    TrainingLoop loop = loop("onDivergence: {rollbacks: 1, learningRateFactor: 0.5}", "", engine);
    Recorder listener = new Recorder();
    assertThatThrownBy(() -> loop.run(listener))
        .isInstanceOf(DivergenceException.class)
        .hasMessageStartingWith("training diverged at round 5 (epoch 2) after 1 rollback "
            + "(train.onDivergence; the rate was 0.05 by then): the training loss is NaN.");
    // Round 4 was reached twice: before the rollback to the start and after it.
    assertThat(listener.rollbacks).hasSize(1);
    assertThat(listener.boundaries).containsExactly(4L, 4L);
  }

  @Test
  void earlyStoppingEndsTheRunWithTheBestValidatedParameters() {
    ToyEngine engine = new ToyEngine(Long.MAX_VALUE).validatedBy(
        round -> switch ((int) round) {
          case 1 -> 0.5;
          case 3 -> 0.7;
          case 5 -> 0.65;
          default -> 0.69;
        });
    TrainingLoop loop = loop("earlyStopping: {metric: accuracy, patience: 2}",
        "eval: {validateEveryRounds: 2}\n", engine);
    float[] start = loop.initialSnapshot().params();
    TrainedModel model = loop.run(new Recorder());

    assertThat(model.history()).hasSize(8);
    assertThat(model.earlyStopping()).containsEntry("bestRound", 3L)
        .containsEntry("stoppedAfterRound", 7L).containsEntry("best", 0.7);
    float[] afterRound3 = ToyEngine.train(start, 1, 4);
    assertThat(model.params()).isEqualTo(afterRound3);
    assertThat(NativeArrays.toFloats(model.network().params())).isEqualTo(afterRound3);
    assertThat(model.finalProgress().snapshot().params())
        .isEqualTo(ToyEngine.train(start, 1, 8));
  }

  /**
   * A loop over a two-input logistic model, 3 epochs of {@link #SCHEDULE}, with validation data.
   *
   * @param trainKeys more {@code train} keys, or ""
   * @param sections more sections of the spec, or ""
   */
  private static TrainingLoop loop(String trainKeys, String sections, TrainingEngine engine) {
    JobSpec spec = JobSpecParser.parse("""
        data: {uri: 'file:/never-read.csv', numClasses: 2}
        model: {name: logistic}
        train: {epochs: 3, batchSize: 4, averagingFrequency: 1, workers: 1, seed: 7,
                optimizer: {name: sgd, learningRate: 0.1}%s}
        %s""".formatted(trainKeys.isEmpty() ? "" : ", " + trainKeys, sections), null);
    NetworkConfig conf = spec.model().build(2, 2, spec.train().optimizer(), 7);
    TrainerSettings settings = new TrainerSettings(conf.toJson(), SCHEDULE,
        new Task.Rows(true, 2), 7, 1);
    return new TrainingLoop(spec, new TrainingSetup(conf, conf.newNetwork(), settings, null,
        null), true, engine);
  }

  /** What the loop told its listener; a checkpoint every {@code checkpointEvery} rounds. */
  private static final class Recorder implements TrainingListener {
    final List<Long> rounds = new ArrayList<>();
    final List<Long> boundaries = new ArrayList<>();
    final List<Progress> rollbacks = new ArrayList<>();
    int checkpointEvery;
    Progress checkpoint;

    @Override
    public void onRound(RoundMetrics metrics, EpochSchedule schedule) {
      rounds.add(metrics.round());
    }

    @Override
    public void onBoundary(Progress after, EpochSchedule schedule) {
      boundaries.add(after.nextRound());
      if (checkpointEvery > 0 && after.nextRound() % checkpointEvery == 0) {
        // As the checkpointer does: the history the loop gives is a view of its own.
        checkpoint = new Progress(after.snapshot(), after.nextRound(),
            List.copyOf(after.history()), after.examples(), after.trainSeconds(), after.best(),
            after.checkpointFiles(), after.rollbacks());
      }
    }

    @Override
    public Progress lastCheckpoint() {
      return checkpoint;
    }

    @Override
    public void onRollback(Progress to) {
      rollbacks.add(to);
    }
  }

  /**
   * Trains by a fixed rule: each round shrinks every parameter by the learning rate times its
   * scale, and the round's loss is the parameters' mean square. Diverges (a NaN loss, NaN
   * parameters) at one round while the rate is too high; validates by a scripted accuracy.
   */
  private static final class ToyEngine implements TrainingEngine {
    private static final double RATE = 0.1;
    private final long maxRoundsPerRun;
    final List<String> stretches = new ArrayList<>();
    final List<Double> scales = new ArrayList<>();
    private long divergesAt = -1;
    private double divergesAbove;
    private LongToDoubleFunction accuracy = round -> 0.5;
    private long lastRound;

    ToyEngine(long maxRoundsPerRun) {
      this.maxRoundsPerRun = maxRoundsPerRun;
    }

    ToyEngine divergingAt(long round, double aboveScale) {
      divergesAt = round;
      divergesAbove = aboveScale;
      return this;
    }

    ToyEngine validatedBy(LongToDoubleFunction accuracyAfterRound) {
      accuracy = accuracyAfterRound;
      return this;
    }

    static float[] step(float[] params, double scale) {
      float[] next = params.clone();
      for (int i = 0; i < next.length; i++) {
        next[i] *= (float) (1 - RATE * scale);
      }
      return next;
    }

    static float[] train(float[] params, double scale, int rounds) {
      for (int r = 0; r < rounds; r++) {
        params = step(params, scale);
      }
      return params;
    }

    @Override
    public SyncStrategy strategy(double scale) {
      scales.add(scale);
      return new SyncStrategy() {
        @Override
        public long maxRoundsPerRun() {
          return maxRoundsPerRun;
        }

        @Override
        public Stretch run(ModelSnapshot from, long first, long until,
            Consumer<RoundOutcome> live, SliceWriter slices) {
          stretches.add(first + "-" + until);
          List<RoundOutcome> rounds = new ArrayList<>();
          float[] params = from.params();
          for (long r = first; r < until; r++) {
            boolean diverges = r == divergesAt && scale > divergesAbove;
            params = diverges ? nans(params.length) : step(params, scale);
            double loss = diverges ? Double.NaN : meanSquare(params);
            RoundOutcome o = new RoundOutcome(SCHEDULE.plan(r), loss, EXAMPLES_PER_ROUND, 0, 0,
                0, 0);
            rounds.add(o);
            // Like the collective strategy's live feed, possibly twice for a round.
            live.accept(o);
            live.accept(o);
          }
          lastRound = until - 1;
          EpochSchedule.RoundPlan end = SCHEDULE.plan(until - 1);
          return new Stretch(rounds, new ModelSnapshot(params, from.optimizerStates(),
              end.iteration() + end.steps(), end.epoch()), List.of());
        }

        @Override
        public String name() {
          return "toy";
        }
      };
    }

    private static float[] nans(int n) {
      float[] p = new float[n];
      Arrays.fill(p, Float.NaN);
      return p;
    }

    private static double meanSquare(float[] params) {
      double sum = 0;
      for (float p : params) {
        sum += (double) p * p;
      }
      return sum / params.length;
    }

    @Override
    public String syncReason() {
      return "a test's toy engine";
    }

    @Override
    public Map<String, Double> validate(float[] params) {
      return Map.of("accuracy", accuracy.applyAsDouble(lastRound));
    }

    @Override
    public EvalResult evaluate(JavaRDD<ExampleBlock> blocks, float[] params) {
      throw new UnsupportedOperationException("the toy engine has no test split");
    }

    @Override
    public void release() {}
  }
}
