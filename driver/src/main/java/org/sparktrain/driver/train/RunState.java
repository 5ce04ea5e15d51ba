package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.train.state.Best;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.driver.train.state.Rollbacks;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * Where a run of the training loop stands between stretches: the snapshot, the metrics so far,
 * the best validated parameters and the early stopper that picks them. The loop's own mutable
 * state; what leaves it is an immutable {@link Progress}.
 */
final class RunState {
  /** {@code train.earlyStopping}; null without early stopping. */
  private final JobSpec.EarlyStopping earlyStopping;
  /** Appended to by the stretches' {@link RoundEmitter}s; the boundaries' progress views it. */
  private final List<RoundMetrics> history = new ArrayList<>();
  private ModelSnapshot snapshot;
  private long examples;
  private Best best;
  private Rollbacks rollbacks;
  private EarlyStopper stopper;
  /** The first round still to run. */
  private long round;
  /** The round after which early stopping ended the run; null while it goes on. */
  private Long stoppedAfter;

  /** The state a run starting at {@code from} has: an early stop it had already reached too. */
  RunState(Progress from, JobSpec.EarlyStopping earlyStopping) {
    this.earlyStopping = earlyStopping;
    goBackTo(from);
    stoppedAfter = stopper != null && stopper.exhausted() ? round - 1 : null;
  }

  /** Continues from {@code back}, as after a rollback: the rounds after it are undone. */
  void goBackTo(Progress back) {
    snapshot = back.snapshot();
    history.clear();
    history.addAll(back.history());
    examples = back.examples();
    best = back.best();
    rollbacks = back.rollbacks();
    // The stopper's state is a function of the history: replaying it rebuilds it exactly.
    stopper = earlyStopping == null ? null : EarlyStopper.replay(earlyStopping, back.history());
    round = back.nextRound();
  }

  /**
   * Takes a finished stretch: the snapshot {@code end} after round {@code until - 1}, the
   * examples its rounds trained on, and the validation after it (null when none was run).
   */
  void advance(ModelSnapshot end, long until, long stretchExamples,
      Map<String, Double> validation) {
    long last = until - 1;
    snapshot = end;
    examples += stretchExamples;
    if (stopper != null && validation != null) {
      if (stopper.observe(last, validation)) {
        best = new Best(last, end.params());
      }
      if (stopper.exhausted()) {
        stoppedAfter = last;
      }
    }
    round = until;
  }

  /** Whether rounds are left to run: the last not reached and no early stop. */
  boolean goesOn(long totalRounds) {
    return round < totalRounds && stoppedAfter == null;
  }

  /** The progress at this boundary, with the checkpoint slices its workers wrote. */
  Progress progress(double trainSeconds, List<SliceWriter.WrittenFile> checkpointFiles) {
    return new Progress(snapshot, round, Collections.unmodifiableList(history), examples,
        trainSeconds, best, checkpointFiles, rollbacks);
  }

  /** The progress at the end of a run that started at round {@code firstRound}. */
  Progress end(long firstRound, double trainSeconds) {
    return new Progress(snapshot, Math.max(firstRound, round), List.copyOf(history), examples,
        trainSeconds, best, List.of(), rollbacks);
  }

  /** The model's parameters: the best validated ones with early stopping, else the last. */
  float[] modelParams() {
    return best != null ? best.params() : snapshot.params();
  }

  /** The early-stopping figures for the summary; null without early stopping. */
  Map<String, Object> earlyStoppingSummary() {
    return stopper == null ? null : stopper.summary(stoppedAfter);
  }

  /** Why the run ended early, for the log; null when it did not. */
  String earlyStop(long totalRounds) {
    return stoppedAfter == null ? null : "early stopping after round " + stoppedAfter + " of "
        + totalRounds + ": " + stopper.describe() + "; the model is round "
        + stopper.bestRound() + "'s parameters";
  }

  ModelSnapshot snapshot() {
    return snapshot;
  }

  List<RoundMetrics> history() {
    return history;
  }

  long examples() {
    return examples;
  }

  Rollbacks rollbacks() {
    return rollbacks;
  }

  long round() {
    return round;
  }
}
