package org.sparktrain.driver.checkpoint;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.checkpoint.Checkpointer.WriteGuard;
import org.sparktrain.driver.output.LeaseLostException;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.util.Retry;

/**
 * Writes checkpoints on a background thread, at most one at a time, each with retries and
 * exponential backoff, and expires old ones after each commit.
 *
 * <p>Training never waits for storage: a checkpoint submitted while another is being written
 * waits as the one pending write, and a newer one replaces it (counted as superseded). A write
 * that fails every retry is reported; training then stops or goes on as
 * {@code checkpoint.onWriteFailure} says.
 */
final class CheckpointWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);
  private static final long MAX_BACKOFF_MS = 30_000;
  /**
   * How long a run that ends without {@link #awaitIdle} (training failed) gives the checkpoint
   * being written to commit before the driver exits; its writer thread would otherwise die
   * with the JVM halfway through.
   */
  static final long IN_FLIGHT_GRACE_MS = 120_000;

  private final CheckpointStore store;
  private final CheckpointRetention retention;
  private final boolean stopOnWriteFailure;
  private final Retry retry;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "checkpoint-writer");
    t.setDaemon(true);
    return t;
  });
  private final Object lock = new Object();
  /** Guarded by lock: a write is running, and the newest checkpoint waiting for it. */
  private boolean writing;
  private CheckpointContent pending;
  private int superseded;
  private volatile int written;
  private volatile int failed;
  /** Attempts that failed and were tried again (a store's outage ridden out shows here). */
  private volatile int retried;
  private volatile long lastWrittenRound = -1;
  private volatile String stopReason;
  /** Set by {@link #close}: finish the write in flight, start no other, retry none. */
  private volatile boolean closing;
  /** Checked before each write: throws when this run may no longer write. */
  private volatile WriteGuard guard = () -> { };
  /** Set when the guard refused a write: the run must stop, whatever onWriteFailure says. */
  private volatile LeaseLostException leaseLost;

  CheckpointWriter(CheckpointStore store, JobSpec.Checkpoint policy,
      CheckpointRetention retention) {
    this.store = store;
    this.retention = retention;
    this.stopOnWriteFailure = policy.stopOnWriteFailure();
    this.retry = Retry.attempts(policy.retries() + 1)
        .backoff(policy.retryBackoffMs(), MAX_BACKOFF_MS)
        // Never retried: the directory is another run's now.
        .retryIf(e -> !(e instanceof LeaseLostException))
        .stopRetryingWhen(() -> closing);
  }

  void guardWith(WriteGuard guard) {
    this.guard = guard;
  }

  /** Writes {@code content} now, or after the write in flight, replacing one still waiting. */
  void submit(CheckpointContent content) {
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
    thread.execute(() -> drain(content));
  }

  /** Waits until no write is in flight or pending. */
  void awaitIdle() {
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

  /** Throws when a write failed in a way that must stop training. */
  void failIfStopped() {
    if (leaseLost != null) {
      throw new LeaseLostException(leaseLost.getMessage());
    }
    if (stopReason != null) {
      throw new CheckpointException(stopReason + "; training stopped "
          + "(checkpoint.onWriteFailure: stop)");
    }
  }

  /** Adds the writer's counts to a run's checkpoint summary. */
  void summarize(Map<String, Object> m) {
    m.put("written", written);
    m.put("failed", failed);
    m.put("retried", retried);
    m.put("lastRound", lastWrittenRound);
    synchronized (lock) {
      m.put("superseded", superseded);
    }
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
    String target = store.roundUri(content.round());
    int[] attempts = {0};
    Retry withLog = retry.onRetry((attempt, max, e, waitMs) -> {
      retried++;
      LOG.warn("checkpoint {} attempt {} of {} failed ({}); retrying in {} ms", target,
          attempt, max, e.getMessage(), waitMs);
    });
    try {
      withLog.call(attempt -> {
        attempts[0] = attempt;
        writeOnce(content, target);
        return null;
      });
    } catch (LeaseLostException e) {
      leaseLost = e;
      failed++;
    } catch (IOException | RuntimeException e) {
      failed++;
      String message = "checkpoint " + target + " could not be written after " + attempts[0]
          + " attempts: " + e.getMessage();
      if (stopOnWriteFailure) {
        stopReason = message;
        LOG.error("{}; stopping training (checkpoint.onWriteFailure: stop)", message);
      } else {
        LOG.error("{}; training goes on (checkpoint.onWriteFailure: continue)", message);
      }
    } catch (InterruptedException e) {
      // close() gave up on the write in flight: neither written nor a failure of the store.
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One attempt. Pruning is part of it: a pruning step that throws unexpectedly is retried with
   * the write, rather than leaving the writer thread dead and {@link #awaitIdle} waiting forever.
   */
  private void writeOnce(CheckpointContent content, String target) throws IOException {
    long start = System.nanoTime();
    guard.check();
    store.write(content);
    written++;
    lastWrittenRound = content.round();
    LOG.info("checkpoint {} written in {} ms", target,
        String.format("%.0f", (System.nanoTime() - start) / 1e6));
    retention.prune(store);
  }

  /**
   * Ends the writer. After {@link #awaitIdle} nothing is in flight; when training failed
   * instead, the checkpoint being written is given up to {@link #IN_FLIGHT_GRACE_MS} ms to
   * commit (it may be the newest valid state of the run), and one still waiting for it is
   * dropped.
   */
  @Override
  public void close() {
    closing = true;
    thread.shutdown();
    try {
      if (!thread.awaitTermination(IN_FLIGHT_GRACE_MS, TimeUnit.MILLISECONDS)) {
        LOG.warn("a checkpoint write in {} did not finish within {} s of the run's end; "
            + "abandoning it (its folder has no manifest, so it is skipped; the checkpoints "
            + "committed before it stay valid)", store.uri(), IN_FLIGHT_GRACE_MS / 1000);
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
