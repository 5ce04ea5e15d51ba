package org.sparktrain.driver.monitor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.sparktrain.driver.output.FlopRate;
import org.sparktrain.driver.output.RoundMetrics;

/**
 * The training run this driver JVM is running now, as the metrics plugin's gauges read it.
 * Spark's sinks poll gauges on their own threads and schedules, so the state is one immutable
 * snapshot behind a volatile reference: a reader sees a whole round or the one before, never
 * half of each. A driver runs one training at a time; should a program run two at once, the
 * gauges follow the one that reported last.
 */
public final class LiveMetrics {
  /** What the gauges show between runs: nothing running, every value NaN or zero. */
  private static final State IDLE = new State(false, null, 0, 0, Map.of(), Map::of,
      FlopRate.UNKNOWN);
  private static volatile State current = IDLE;

  /**
   * @param lastRound the newest round, or null before the first
   * @param examples examples trained on in this run so far (a resumed run counts from resume)
   * @param bytesMoved bytes synchronized in this run so far
   * @param validation the newest validation metrics, kept until the next validation
   * @param checkpoints the checkpointer's counters ({@code written}, {@code failed},
   *     {@code lastRound}), read when a sink polls
   * @param flops the run's FLOPs per example and measured peak
   */
  record State(boolean running, RoundMetrics lastRound, long examples, long bytesMoved,
      Map<String, Double> validation, Supplier<Map<String, Object>> checkpoints,
      FlopRate flops) {}

  private LiveMetrics() {}

  /** A run starts: the gauges show it from now on. */
  public static void start(Supplier<Map<String, Object>> checkpoints) {
    start(checkpoints, FlopRate.UNKNOWN);
  }

  /** As above, with the FLOP count and peak the GFLOP/s and utilization gauges use. */
  public static void start(Supplier<Map<String, Object>> checkpoints, FlopRate flops) {
    current = new State(true, null, 0, 0, Map.of(), checkpoints, flops);
  }

  public static void onRound(RoundMetrics m) {
    State s = current;
    Map<String, Double> validation = m.validation() == null ? s.validation()
        : Map.copyOf(new LinkedHashMap<>(m.validation()));
    current = new State(true, m, s.examples() + m.examples(), s.bytesMoved() + m.bytesMoved(),
        validation, s.checkpoints(), s.flops());
  }

  /** The run ended (finished or failed): the last values stay, marked as not running. */
  public static void end() {
    State s = current;
    current = new State(false, s.lastRound(), s.examples(), s.bytesMoved(), s.validation(),
        s.checkpoints(), s.flops());
  }

  static State current() {
    return current;
  }

  /** For tests that need a clean slate. */
  static void reset() {
    current = IDLE;
  }
}
