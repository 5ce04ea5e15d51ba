package org.sparktrain.driver.output;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code report.html} current while a run trains: the page is drawn again after every
 * validation and every checkpoint written, saying the round and time it was drawn, so a long
 * run can be watched from its run directory on any store.
 *
 * <p>Drawing happens on a background thread and the newest request replaces one still waiting:
 * a slow store (S3, a busy HDFS) costs the training loop nothing and draws fewer pages, never
 * stale ones after newer ones. Every write is whole-file (write, then rename), so a reader
 * never sees half a page. A failed live draw is logged, not fatal: the page is a view of the
 * run, metrics.jsonl and the checkpoints are its record.
 */
public final class LiveReport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveReport.class);
  /** How long {@link #close} waits for a draw in flight before the final page replaces it. */
  private static final long DRAIN_SECONDS = 60;

  private final RunDirectory runDir;
  private final String specYaml;
  private final Map<String, Object> base;
  private final Supplier<Map<String, Object>> checkpoints;
  private final List<RoundMetrics> history;
  private final FlopRate flops;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "sparktrain-live-report");
    t.setDaemon(true);
    return t;
  });
  private final AtomicReference<Runnable> pending = new AtomicReference<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private Object checkpointsSeen;

  /**
   * @param base what is known before training and shown while it runs (model, records,
   *     backend, synchronization)
   * @param checkpoints the checkpointer's counters; a change of {@code written} redraws
   * @param earlier rounds a resumed run already has
   */
  public LiveReport(RunDirectory runDir, String specYaml, Map<String, Object> base,
      Supplier<Map<String, Object>> checkpoints, List<RoundMetrics> earlier) {
    this(runDir, specYaml, base, checkpoints, earlier, FlopRate.UNKNOWN);
  }

  /** As above, showing the FLOP rate so far with {@code flops}' count and peak. */
  public LiveReport(RunDirectory runDir, String specYaml, Map<String, Object> base,
      Supplier<Map<String, Object>> checkpoints, List<RoundMetrics> earlier, FlopRate flops) {
    this.flops = flops;
    this.runDir = runDir;
    this.specYaml = specYaml;
    this.base = Map.copyOf(base);
    this.checkpoints = checkpoints;
    this.history = new ArrayList<>(earlier);
    this.checkpointsSeen = written();
  }

  /** Called with every round, in order; redraws after a validation or a new checkpoint. */
  public void onRound(RoundMetrics m) {
    history.add(m);
    Object written = written();
    boolean newCheckpoint = !Objects.equals(written, checkpointsSeen);
    checkpointsSeen = written;
    if (m.validation() != null || newCheckpoint) {
      Map<String, Object> summary = summarySoFar();
      List<RoundMetrics> rounds = List.copyOf(history);
      ReportWriter.State state = ReportWriter.State.running(rounds.size());
      request(() -> write(ReportWriter.render(summary, rounds, specYaml, state)));
    }
  }

  /** The run went back to {@code kept} (a rollback after divergence): later rounds are gone. */
  public void rewind(List<RoundMetrics> kept) {
    history.clear();
    history.addAll(kept);
  }

  /** What the page shows of a run still going: no test metrics yet, throughput so far. */
  Map<String, Object> summarySoFar() {
    Map<String, Object> s = new LinkedHashMap<>(base);
    double wallMs = history.stream().mapToDouble(RoundMetrics::wallMs).sum();
    long examples = history.stream().mapToLong(RoundMetrics::examples).sum();
    double examplesPerSec = wallMs > 0 ? examples * 1000.0 / wallMs : 0.0;
    Map<String, Object> throughput = new LinkedHashMap<>();
    throughput.put("examplesPerSec", examplesPerSec);
    throughput.putAll(RoundMetrics.costs(history));
    s.put("throughput", throughput);
    s.put("flops", flops.toMap(examplesPerSec));
    if (!history.isEmpty()) {
      s.put("finalTrainLoss", history.get(history.size() - 1).loss());
    }
    s.put("checkpoints", checkpoints.get());
    return s;
  }

  /**
   * Stops drawing and waits for the draws requested so far, so that the page written next
   * (the final one, or the failed run's) is the last.
   */
  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("a live draw of {} still runs after {} s; the final page may be replaced by "
            + "it", RunDirectory.REPORT, DRAIN_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * After a failure: the page with the rounds trained, marked failed with the reason. Never
   * throws, so the failure itself stays the error the user sees.
   */
  public void drawFailed(Throwable failure) {
    close();
    try {
      String reason = failure.getMessage() == null ? failure.toString() : failure.getMessage();
      runDir.writeText(RunDirectory.REPORT, ReportWriter.render(summarySoFar(),
          List.copyOf(history), specYaml, ReportWriter.State.failed(history.size(), reason)));
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not draw {} of the failed run: {}", RunDirectory.REPORT, e.toString());
    }
  }

  private void request(Runnable draw) {
    pending.set(draw);
    if (scheduled.compareAndSet(false, true)) {
      try {
        writer.execute(() -> {
          scheduled.set(false);
          Runnable newest = pending.getAndSet(null);
          if (newest != null) {
            newest.run();
          }
        });
      } catch (RejectedExecutionException closed) {
        // Closed: the final page is being written; this one would be older.
      }
    }
  }

  private void write(String html) {
    try {
      runDir.writeText(RunDirectory.REPORT, html);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not update {} while training ({}); the run goes on", RunDirectory.REPORT,
          e.toString());
    }
  }

  private Object written() {
    return checkpoints.get().get("written");
  }
}
