package org.sparktrain.driver.run;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.driver.train.state.TrainingListener;
import org.sparktrain.worker.train.EpochSchedule;

/**
 * Writes each round to metrics.jsonl and shows progress: a bar per epoch on a terminal, one log
 * line per round otherwise (CI logs, spark-submit, Kubernetes).
 */
final class ProgressReporter implements TrainingListener {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);
  private static final int BAR_WIDTH = 30;

  private final RunDirectory runDir;
  private final int epochs;
  private final PrintStream terminal;

  ProgressReporter(RunDirectory runDir, int epochs, boolean onTerminal) {
    this.runDir = runDir;
    this.epochs = epochs;
    this.terminal = onTerminal ? System.err : null;
  }

  @Override
  public void onRound(RoundMetrics m, EpochSchedule schedule) {
    try {
      runDir.appendMetrics(Json.line(m.toMap()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + runDir.uri() + "/"
          + RunDirectory.METRICS + ": " + e.getMessage(), e);
    }
    int done = (int) (m.round() % schedule.roundsPerEpoch()) + 1;
    String validation = m.validation() == null ? "" : " validation " + m.validation();
    if (terminal != null) {
      int filled = done * BAR_WIDTH / schedule.roundsPerEpoch();
      terminal.printf("\repoch %d/%d [%s%s] %3d%% loss %.4f %,.0f ex/s%s", m.epoch() + 1, epochs,
          "=".repeat(filled), " ".repeat(BAR_WIDTH - filled),
          done * 100 / schedule.roundsPerEpoch(), m.loss(), m.examplesPerSec(), validation);
      if (done == schedule.roundsPerEpoch()) {
        terminal.println();
      }
    } else {
      LOG.info("round {} epoch {}/{} loss {} {} ex/s compute {} ms sync {} ms{}", m.round(),
          m.epoch() + 1, epochs, String.format("%.5f", m.loss()),
          String.format("%.0f", m.examplesPerSec()), String.format("%.1f", m.computeMs()),
          String.format("%.1f", m.syncMs()), validation);
    }
  }

  /** metrics.jsonl goes back to the rounds kept by a rollback after divergence. */
  @Override
  public void onRollback(Progress to) {
    try {
      runDir.rewriteMetrics(to.history());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + runDir.uri() + "/"
          + RunDirectory.METRICS + " after rolling back: " + e.getMessage(), e);
    }
    if (terminal != null) {
      terminal.printf("%ndiverged: back to %s with the learning rate times %s%n",
          to.describe(), to.rollbacks().learningRateScale());
    }
  }
}
