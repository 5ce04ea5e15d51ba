package org.sparktrain.driver.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.spec.JobSpec;

/**
 * Follows {@code train.earlyStopping} through the validations of a run: which was best and how
 * many validations have gone by without improving on it. Its state is a function of the metric
 * history alone, so a resumed run rebuilds it exactly by replaying the checkpoint's history.
 */
final class EarlyStopper {
  private final JobSpec.EarlyStopping policy;
  private double best = Double.NaN;
  private long bestRound = -1;
  private int sinceBest;

  EarlyStopper(JobSpec.EarlyStopping policy) {
    this.policy = policy;
  }

  /** The stopper after the validations in {@code history}, as the run that wrote it had it. */
  static EarlyStopper replay(JobSpec.EarlyStopping policy, List<RoundMetrics> history) {
    EarlyStopper stopper = new EarlyStopper(policy);
    for (RoundMetrics m : history) {
      if (m.validation() != null) {
        stopper.observe(m.round(), m.validation());
      }
    }
    return stopper;
  }

  /**
   * Takes the validation after {@code round}.
   *
   * @return whether it is the new best (the parameters after {@code round} become the model)
   */
  boolean observe(long round, Map<String, Double> validation) {
    Double value = validation.get(policy.metric());
    boolean improved = value != null && !value.isNaN() && (bestRound < 0 || (policy.lowerIsBetter()
        ? value < best - policy.minDelta() : value > best + policy.minDelta()));
    if (improved) {
      best = value;
      bestRound = round;
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    return improved;
  }

  /** Whether {@code patience} validations in a row have not improved: time to stop. */
  boolean exhausted() {
    return sinceBest >= policy.patience();
  }

  long bestRound() {
    return bestRound;
  }

  /** The run's early-stopping figures for summary.json. */
  Map<String, Object> summary(Long stoppedAfterRound) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("metric", policy.metric());
    m.put("patience", policy.patience());
    m.put("minDelta", policy.minDelta());
    m.put("best", bestRound < 0 ? null : best);
    m.put("bestRound", bestRound < 0 ? null : bestRound);
    m.put("stoppedAfterRound", stoppedAfterRound);
    return m;
  }

  String describe() {
    return policy.metric() + " has not improved by more than " + policy.minDelta() + " for "
        + sinceBest + " validations (best " + best + " after round " + bestRound + ")";
  }
}
