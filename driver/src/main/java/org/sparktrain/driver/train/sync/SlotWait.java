package org.sparktrain.driver.train.sync;

import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.apache.spark.SparkConf;
import org.sparktrain.driver.spec.JobSpec.SyncMode;

/**
 * Waits for a cluster's executors to register before the collective's slot check. Spark starts
 * an application once {@code spark.scheduler.minRegisteredResourcesRatio} of its executors have
 * registered: 0 on a standalone master, 0.8 on YARN and Kubernetes. So the first look at a
 * cluster can see fewer cores than were asked for, and a few seconds later all of them (found
 * on a standalone cluster of 3 and 4 workers: "needs 3 task slots ... the cluster has 2").
 *
 * <p>Spark retries its own check that a barrier stage fits; this gives an explicit
 * {@code collective} the same patience ({@code spark.scheduler.barrier.maxConcurrentTasksCheck
 * .interval} x {@code .maxFailures}, 10 minutes by default), and {@code auto} the time Spark
 * waits for executors at start ({@code spark.scheduler.maxRegisteredResourcesWaitingTime}, 30
 * s), before it falls back to the driver. Where the application's own settings ask for fewer
 * cores than are needed, nothing is waited for.
 */
final class SlotWait {
  /** Time, so a test can run the wait without sleeping. */
  interface Clock {
    long nowMs();

    void sleepMs(long ms) throws InterruptedException;
  }

  static final Clock SYSTEM = new Clock() {
    @Override
    public long nowMs() {
      return System.currentTimeMillis();
    }

    @Override
    public void sleepMs(long ms) throws InterruptedException {
      Thread.sleep(ms);
    }
  };

  private static final long POLL_MS = 500;
  private static final long REPORT_EVERY_MS = 15_000;

  private SlotWait() {
  }

  /** How long a run that asked for {@code asked} waits for executors. */
  static long patienceMs(SparkConf conf, SyncMode asked) {
    if (asked == SyncMode.COLLECTIVE) {
      long interval = conf.getTimeAsMs("spark.scheduler.barrier.maxConcurrentTasksCheck.interval",
          "15s");
      int failures = conf.getInt("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures",
          40);
      return interval * failures;
    }
    return conf.getTimeAsMs("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s");
  }

  /**
   * The cores the application asked the cluster for, where its settings say: then a cluster
   * short of them never fills, and there is nothing to wait for. Unknown (-1) otherwise: a
   * standalone executor without {@code spark.executor.cores} takes all of its worker's cores.
   */
  static int requestedCores(SparkConf conf) {
    if (conf.contains("spark.cores.max")) {
      return conf.getInt("spark.cores.max", -1);
    }
    if (conf.contains("spark.executor.instances") && conf.contains("spark.executor.cores")) {
      return conf.getInt("spark.executor.instances", 0) * conf.getInt("spark.executor.cores", 0);
    }
    return -1;
  }

  /** The cores registered when the wait ended, and how long it took. */
  record Result(int cores, long waitedMs) {
  }

  /**
   * Polls {@code cores} until it reaches {@code needed} or {@code patienceMs} has passed, and
   * returns the last count: the caller decides what too few means.
   */
  static Result await(IntSupplier cores, int needed, long patienceMs, Clock clock,
      Consumer<String> log) {
    int have = cores.getAsInt();
    if (have >= needed || patienceMs <= 0) {
      return new Result(have, 0);
    }
    long start = clock.nowMs();
    long nextReport = start;
    while (true) {
      long now = clock.nowMs();
      long waited = now - start;
      if (waited >= patienceMs) {
        return new Result(have, waited);
      }
      if (now >= nextReport) {
        log.accept("train.sync: waiting for executors to register: " + have + " of " + needed
            + " cores so far; waiting up to " + (patienceMs - waited) / 1000 + " s more");
        nextReport = now + REPORT_EVERY_MS;
      }
      try {
        clock.sleepMs(Math.min(POLL_MS, patienceMs - waited));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result(have, clock.nowMs() - start);
      }
      have = cores.getAsInt();
      if (have >= needed) {
        long waitedMs = clock.nowMs() - start;
        log.accept("train.sync: " + have + " cores registered after " + waitedMs / 1000 + " s");
        return new Result(have, waitedMs);
      }
    }
  }
}
