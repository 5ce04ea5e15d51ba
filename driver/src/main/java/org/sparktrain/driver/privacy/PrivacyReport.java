package org.sparktrain.driver.privacy;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.worker.privacy.Epsilon;

/** Where a private run says what it spends: the start-of-run log and the model's folder. */
public final class PrivacyReport {
  /** Beside model.zip: the guarantee the model was trained under (what audit reads). */
  public static final String MODEL_FILE = RunDirectory.MODEL + "/privacy.json";

  private PrivacyReport() {}

  /** One line before training: the noise, q, steps and the epsilon the run will spend. */
  public static void logPlan(PrivateRun run, long rounds, Logger log) {
    Epsilon planned = run.epsilonAfter(run.budgetSteps());
    log.info(String.format(Locale.ROOT, "differentially private training: noise multiplier "
        + "%.4g, clip norm %s, q = %.4g, %d steps per worker in %d rounds: epsilon %.4g at "
        + "delta %s%s", run.noiseMultiplier(), run.spec().clipNorm(), run.samplingRate(),
        run.budgetSteps(), rounds, planned.epsilon(), run.spec().delta(),
        run.stopsAtBudget() ? " (the budget ends the run after " + run.budgetSteps() + " of "
            + run.plannedSteps() + " planned steps)" : ""));
  }

  /** Writes {@code model/privacy.json}. */
  public static void writeModelMetadata(RunDirectory runDir, Map<String, Object> report)
      throws IOException {
    runDir.writeText(MODEL_FILE, Json.pretty(report));
  }
}
