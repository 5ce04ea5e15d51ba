package org.sparktrain.driver.train;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.train.state.TrainingListener;
import org.sparktrain.driver.train.sync.SyncStrategy;
import org.sparktrain.worker.train.EpochSchedule;

/**
 * Turns one stretch's round outcomes into metrics for the history and the listener, each round
 * once and in order: a round shown live is not shown again when the stretch's result lists it.
 */
final class RoundEmitter {
  private final List<RoundMetrics> history;
  private final TrainingListener listener;
  private final EpochSchedule schedule;
  private long next;
  private long examples;

  RoundEmitter(List<RoundMetrics> history, TrainingListener listener, EpochSchedule schedule,
      long first) {
    this.history = history;
    this.listener = listener;
    this.schedule = schedule;
    this.next = first;
  }

  /**
   * Shows rounds before {@code last} as they end; the last waits for the snapshot (its
   * validation needs it).
   */
  Consumer<SyncStrategy.RoundOutcome> liveBefore(long last) {
    return o -> {
      if (o.plan().round() < last) {
        emit(o, null);
      }
    };
  }

  /** Every round of the stretch, the last with {@code validation} (null when none was run). */
  void emitAll(SyncStrategy.Stretch stretch, long last, Map<String, Double> validation) {
    for (SyncStrategy.RoundOutcome o : stretch.rounds()) {
      emit(o, o.plan().round() == last ? validation : null);
    }
  }

  /** The rounds of a diverged stretch up to the diverged one: they go to the metrics. */
  void emitThrough(SyncStrategy.Stretch stretch, long diverged) {
    for (SyncStrategy.RoundOutcome o : stretch.rounds()) {
      if (o.plan().round() <= diverged) {
        emit(o, null);
      }
    }
  }

  private void emit(SyncStrategy.RoundOutcome o, Map<String, Double> validation) {
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

  /** The examples of the rounds emitted. */
  long examples() {
    return examples;
  }
}
