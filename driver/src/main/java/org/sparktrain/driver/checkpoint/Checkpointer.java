package org.sparktrain.driver.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.output.LeaseLostException;
import org.sparktrain.driver.privacy.PrivateRun;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.driver.train.state.TrainingListener;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.EpochSchedule;

/**
 * Decides when to checkpoint (every N rounds, every epoch, every T minutes, and after the last
 * round), writes in the background with at most one write in flight, retries with exponential
 * backoff, and prunes to the last K plus the best by a validation metric.
 *
 * <p>Training never waits for storage: when a checkpoint falls due while the previous one is
 * still being written, it waits as the one pending write, and a newer one replaces it (counted as
 * superseded). A write that fails every retry is reported; training then stops or goes on as
 * {@code checkpoint.onWriteFailure} says.
 */
public final class Checkpointer implements TrainingListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
  private static final long MAX_BACKOFF_MS = 30_000;
  /**
   * How long a run that ends without {@link #finish} (training failed) gives the checkpoint
   * being written to commit before the driver exits; its writer thread would otherwise die
   * with the JVM halfway through.
   */
  static final long IN_FLIGHT_GRACE_MS = 120_000;
  /** See {@link #rareEnoughForWorkers}. */
  static final int MIN_ROUNDS_FOR_WORKER_WRITES = 4;

  private final CheckpointStore store;
  private final JobSpec.Checkpoint policy;
  private final String modelConfigJson;
  private final String specYaml;
  private final Normalizer normalizer;
  private final String tokenizerJson;
  private final String tableEncodingJson;
  /** Set when workers may write checkpoint slices (see {@link #withWorkerWrites}). */
  private Configuration workerConf;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "checkpoint-writer");
    t.setDaemon(true);
    return t;
  });
  private final Object lock = new Object();
  /** Guarded by lock: a write is running, and the newest checkpoint waiting for it. */
  private boolean writing;
  private CheckpointContent pending;
  private int superseded;
  private long lastSubmitNanos = System.nanoTime();
  private long lastSubmittedRound = -1;
  private volatile int written;
  private volatile int failed;
  /** Attempts that failed and were tried again (a store's outage ridden out shows here). */
  private volatile int retried;
  private volatile long lastWrittenRound = -1;
  private volatile String stopReason;
  /** Set by {@link #close}: finish the write in flight, start no other, retry none. */
  private volatile boolean closing;
  /** Checked before each write: throws when this run may no longer write (see withWriteGuard). */
  private WriteGuard guard = () -> { };
  /** Set when the guard refused a write: the run must stop, whatever onWriteFailure says. */
  private volatile LeaseLostException leaseLost;
  /** A private run's accounting and secret, kept in every checkpoint; null otherwise. */
  private PrivateRun privateRun;
  private byte[] privacySecret;

  /**
   * @param tokenizerJson a text model's tokenizer, kept in every checkpoint; else null
   * @param tableEncodingJson a table's encoding, kept in every checkpoint; else null
   */
  public Checkpointer(CheckpointStore store, JobSpec.Checkpoint policy, String modelConfigJson,
      String specYaml, Normalizer normalizer, String tokenizerJson, String tableEncodingJson) {
    this.store = store;
    this.policy = policy;
    this.modelConfigJson = modelConfigJson;
    this.specYaml = specYaml;
    this.normalizer = normalizer;
    this.tokenizerJson = tokenizerJson;
    this.tableEncodingJson = tableEncodingJson;
  }

  /**
   * Keeps a private run's secret and spent budget in every checkpoint, so a resumed run draws
   * the same samples and noise and continues the accounting.
   */
  public Checkpointer withPrivacy(PrivateRun run, byte[] secret) {
    this.privateRun = run;
    this.privacySecret = secret;
    return this;
  }

  /** Says whether this run may still write into its run directory. */
  public interface WriteGuard {
    /** @throws LeaseLostException when another run holds the directory now */
    void check() throws IOException;
  }

  /**
   * Checks {@code guard} before every checkpoint write and every clearing of a checkpoint
   * folder: a run whose lease was taken over writes no further checkpoint and stops, instead of
   * writing over the checkpoints of the run that holds the directory now.
   */
  public Checkpointer withWriteGuard(WriteGuard guard) {
    this.guard = guard;
    return this;
  }

  /**
   * Lets the workers of collective stretches write the parameter and optimizer-state files of
   * checkpoints due at a stretch's end, with this Hadoop configuration. Only for a store every
   * executor reaches as the driver does: not a driver-local {@code file://} folder on a cluster.
   */
  public Checkpointer withWorkerWrites(Configuration conf) {
    this.workerConf = conf;
    return this;
  }

  /**
   * Where the workers write their slices of the checkpoint that will be due after round
   * {@code boundary - 1} by round count or epoch end; null when none is due then (a time-based
   * checkpoint is only known at the boundary, and the driver writes it) or workers may not
   * write here.
   */
  public SliceWriter checkpointSlices(long boundary, EpochSchedule schedule) {
    if (workerConf == null || !dueByRound(boundary, schedule)
        || !rareEnoughForWorkers(boundary, schedule)) {
      return null;
    }
    try {
      guard.check();
      store.delete(boundary - 1); // leftovers of an attempt that never committed
    } catch (IOException e) {
      LOG.warn("could not clear {} for the workers' checkpoint slices ({}); the driver will "
          + "write it", store.roundUri(boundary - 1), e.getMessage());
      return null;
    }
    return new CheckpointSlices(store.roundUri(boundary - 1), workerConf);
  }

  /**
   * Workers write their slices inside the barrier task, so every worker waits for the store
   * before the next stretch starts, where the driver's background write stalls nothing (a slow
   * store only supersedes checkpoints). Measured on MiniDFS with a checkpoint every round (MNIST
   * MLP, 2 workers): rounds of 1.9-2.0 s with the workers writing, 1.0 s with the driver
   * writing. So the workers write only checkpoints that come at most every
   * {@link #MIN_ROUNDS_FOR_WORKER_WRITES} rounds (or at epoch ends); more frequent ones are the
   * driver's.
   */
  private boolean rareEnoughForWorkers(long done, EpochSchedule schedule) {
    boolean epochEnd = policy.everyEpoch() && done % schedule.roundsPerEpoch() == 0
        && schedule.roundsPerEpoch() >= MIN_ROUNDS_FOR_WORKER_WRITES;
    boolean everyFewRounds = policy.everyRounds() >= MIN_ROUNDS_FOR_WORKER_WRITES
        && done % policy.everyRounds() == 0;
    return epochEnd || everyFewRounds;
  }

  private boolean dueByRound(long done, EpochSchedule schedule) {
    return policy.everyRounds() > 0 && done % policy.everyRounds() == 0
        || policy.everyEpoch() && done % schedule.roundsPerEpoch() == 0;
  }

  @Override
  public void onRound(org.sparktrain.driver.output.RoundMetrics metrics, EpochSchedule schedule) {
    failIfStopped();
  }

  @Override
  public void onBoundary(Progress after, EpochSchedule schedule) {
    failIfStopped();
    long done = after.nextRound();
    boolean due = dueByRound(done, schedule)
        || policy.everyMinutes() > 0
            && System.nanoTime() - lastSubmitNanos >= policy.everyMinutes() * 60e9;
    if (due) {
      submit(after);
    }
  }

  /** Checkpoints the final state (if not already) and waits for every write to finish. */
  public void finish(Progress last) {
    if (last.nextRound() - 1 != lastSubmittedRound && last.nextRound() > 0) {
      submit(last);
    }
    awaitWrites();
    failIfStopped();
  }

  /**
   * The newest committed checkpoint, read back once the writes in flight have ended: where a
   * diverged run goes back to. Null when the store holds none.
   */
  @Override
  public Progress lastCheckpoint() {
    awaitWrites();
    try {
      return store.latestValid(LOG::warn).map(CheckpointContent::toProgress).orElse(null);
    } catch (IOException e) {
      throw new CheckpointException("cannot read the last checkpoint back to roll back to it "
          + "from " + store.uri() + ": " + e.getMessage(), e);
    }
  }

  private CheckpointPrivacy privacy(Progress progress) {
    if (privateRun == null) {
      return null;
    }
    long steps = progress.snapshot().iteration();
    return new CheckpointPrivacy(privacySecret, steps, privateRun.epsilonAfter(steps).epsilon());
  }

  private void awaitWrites() {
    synchronized (lock) {
      while (writing) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CheckpointException("interrupted while waiting for checkpoint writes", e);
        }
      }
    }
  }

  private void submit(Progress progress) {
    CheckpointContent content = new CheckpointContent(progress.nextRound() - 1,
        progress.snapshot(), modelConfigJson, normalizer, specYaml,
        List.copyOf(progress.history()), progress.examples(), progress.trainSeconds(),
        System.currentTimeMillis(), progress.best(), progress.checkpointFiles(), tokenizerJson,
        tableEncodingJson, progress.rollbacks(), privacy(progress));
    lastSubmitNanos = System.nanoTime();
    lastSubmittedRound = content.round();
    synchronized (lock) {
      if (writing) {
        if (pending != null) {
          superseded++;
        }
        pending = content;
        return;
      }
      writing = true;
    }
    writer.execute(() -> drain(content));
  }

  /** Writes the given checkpoint, then whatever became pending meanwhile, until none is. */
  private void drain(CheckpointContent first) {
    CheckpointContent next = first;
    while (next != null) {
      writeWithRetries(next);
      synchronized (lock) {
        next = closing ? null : pending;
        if (closing && pending != null) {
          LOG.warn("checkpoint of round {} not written: the run ended before its turn",
              pending.round());
        }
        pending = null;
        if (next == null) {
          writing = false;
          lock.notifyAll();
        }
      }
    }
  }

  private void writeWithRetries(CheckpointContent content) {
    long backoffMs = policy.retryBackoffMs();
    String target = store.roundUri(content.round());
    for (int attempt = 1; ; attempt++) {
      try {
        long start = System.nanoTime();
        guard.check();
        store.write(content);
        written++;
        lastWrittenRound = content.round();
        LOG.info("checkpoint {} written in {} ms", target,
            String.format("%.0f", (System.nanoTime() - start) / 1e6));
        prune();
        return;
      } catch (LeaseLostException e) {
        // Never retried: the directory is another run's now.
        leaseLost = e;
        failed++;
        return;
      } catch (IOException | RuntimeException e) {
        if (attempt > policy.retries() || closing) {
          failed++;
          String message = "checkpoint " + target + " could not be written after " + attempt
              + " attempts: " + e.getMessage();
          if (policy.stopOnWriteFailure()) {
            stopReason = message;
            LOG.error("{}; stopping training (checkpoint.onWriteFailure: stop)", message);
          } else {
            LOG.error("{}; training goes on (checkpoint.onWriteFailure: continue)", message);
          }
          return;
        }
        retried++;
        LOG.warn("checkpoint {} attempt {} of {} failed ({}); retrying in {} ms", target,
            attempt, policy.retries() + 1, e.getMessage(), backoffMs);
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
    }
  }

  /**
   * Keeps the newest {@code keepLast} valid checkpoints and the best one by the metric. Runs
   * after a checkpoint committed, so a valid one is never deleted before its replacement is in
   * place. Only a folder whose manifest is missing or unparseable counts as invalid; when a
   * manifest cannot be read at all (the store failed), nothing is deleted this time.
   */
  private void prune() {
    try {
      List<CheckpointInfo> all = store.listByManifest();
      List<CheckpointInfo> valid = all.stream().filter(CheckpointInfo::valid).toList();
      Set<Long> keep = new HashSet<>();
      valid.stream().limit(policy.keepLast()).forEach(i -> keep.add(i.round()));
      best(valid).ifPresent(i -> keep.add(i.round()));
      long newest = valid.isEmpty() ? Long.MAX_VALUE : valid.get(0).round();
      for (CheckpointInfo info : all) {
        // Invalid folders newer than the newest valid one may be a write in progress elsewhere.
        if (!keep.contains(info.round()) && info.round() < newest) {
          store.delete(info.round());
        }
      }
    } catch (IOException e) {
      LOG.warn("not pruning old checkpoints in {} this time, none deleted: {}", store.uri(),
          e.getMessage());
    }
  }

  private java.util.Optional<CheckpointInfo> best(List<CheckpointInfo> valid) {
    String metric = policy.keepBestBy();
    if (metric == null) {
      return java.util.Optional.empty();
    }
    boolean lowerIsBetter = JobSpec.lowerIsBetter(metric);
    Comparator<CheckpointInfo> byMetric = Comparator.comparingDouble(
        i -> i.metrics().get(metric));
    List<CheckpointInfo> scored = new ArrayList<>();
    for (CheckpointInfo i : valid) {
      if (i.metrics() != null && i.metrics().get(metric) != null
          && !Double.isNaN(i.metrics().get(metric))) {
        scored.add(i);
      }
    }
    return lowerIsBetter ? scored.stream().min(byMetric) : scored.stream().max(byMetric);
  }

  private void failIfStopped() {
    if (leaseLost != null) {
      throw new LeaseLostException(leaseLost.getMessage());
    }
    if (stopReason != null) {
      throw new CheckpointException(stopReason + "; training stopped "
          + "(checkpoint.onWriteFailure: stop)");
    }
  }

  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dir", store.uri());
    m.put("written", written);
    m.put("failed", failed);
    m.put("retried", retried);
    m.put("lastRound", lastWrittenRound);
    synchronized (lock) {
      m.put("superseded", superseded);
    }
    return m;
  }

  /**
   * Ends the writer. After {@link #finish} nothing is in flight; when training failed instead,
   * the checkpoint being written is given up to {@link #IN_FLIGHT_GRACE_MS} ms to commit (it
   * may be the newest valid state of the run), and one still waiting for it is dropped.
   */
  @Override
  public void close() {
    closing = true;
    writer.shutdown();
    try {
      if (!writer.awaitTermination(IN_FLIGHT_GRACE_MS, TimeUnit.MILLISECONDS)) {
        LOG.warn("a checkpoint write in {} did not finish within {} s of the run's end; "
            + "abandoning it (its folder has no manifest, so it is skipped; the checkpoints "
            + "committed before it stay valid)", store.uri(), IN_FLIGHT_GRACE_MS / 1000);
        writer.shutdownNow();
      }
    } catch (InterruptedException e) {
      writer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
