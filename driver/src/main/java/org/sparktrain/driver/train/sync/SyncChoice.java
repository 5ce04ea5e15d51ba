package org.sparktrain.driver.train.sync;

import java.util.function.IntSupplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.driver.spec.JobSpec.SyncMode;
import org.sparktrain.driver.spec.SpecException;

/**
 * Resolves {@code train.sync}. A collective run is one Spark barrier job, which Spark refuses
 * under dynamic allocation (SPARK-24954) and which needs a task slot for every worker at once;
 * {@code auto} takes it when both hold and says why not otherwise, and an explicit
 * {@code collective} that cannot run fails before any data is read. On a cluster, executors
 * that are still registering are waited for first ({@link SlotWait}).
 *
 * @param mode COLLECTIVE or DRIVER, never AUTO
 * @param reason why, for the log
 */
public record SyncChoice(SyncMode mode, String reason) {
  private static final Logger LOG = LoggerFactory.getLogger(SyncChoice.class);

  public static SyncChoice resolve(JavaSparkContext sc, SyncMode asked, int workers) {
    return resolve(sc.getConf(), sc::defaultParallelism, asked, workers, SlotWait.SYSTEM);
  }

  /**
   * As {@link #resolve(SparkConf, int, SyncMode, int)}, but on a cluster whose executors are
   * still registering, first waits for them (see {@link SlotWait}).
   *
   * @param clusterCores cores of the executors registered at the moment of asking
   */
  static SyncChoice resolve(SparkConf conf, IntSupplier clusterCores, SyncMode asked,
      int workers, SlotWait.Clock clock) {
    String master = conf.get("spark.master");
    int neededCores = workers * taskCpus(conf);
    int requested = SlotWait.requestedCores(conf);
    boolean moreMayRegister = !master.startsWith("local")
        && !conf.getBoolean("spark.dynamicAllocation.enabled", false)
        && (requested < 0 || requested >= neededCores);
    // Warnings, not info: Spark's setLogLevel("WARN") hides sparktrain's info lines under
    // spark-submit, and a run that waits minutes for its executors must say why.
    SlotWait.Result registered = asked != SyncMode.DRIVER && moreMayRegister
        ? SlotWait.await(clusterCores, neededCores,
            SlotWait.patienceMs(conf, asked), clock, LOG::warn)
        : new SlotWait.Result(clusterCores.getAsInt(), 0);
    return resolve(conf, registered, asked, workers);
  }

  /** @param clusterCores cores of the executors registered so far (for a real cluster) */
  static SyncChoice resolve(SparkConf conf, int clusterCores, SyncMode asked, int workers) {
    return resolve(conf, new SlotWait.Result(clusterCores, 0), asked, workers);
  }

  private static SyncChoice resolve(SparkConf conf, SlotWait.Result registered, SyncMode asked,
      int workers) {
    if (asked == SyncMode.DRIVER) {
      return new SyncChoice(SyncMode.DRIVER, "train.sync: driver");
    }
    String obstacle = collectiveObstacle(conf, registered, workers);
    if (obstacle == null) {
      return new SyncChoice(SyncMode.COLLECTIVE, asked == SyncMode.AUTO
          ? "train.sync: auto, and the cluster runs barrier jobs" : "train.sync: collective");
    }
    if (asked == SyncMode.COLLECTIVE) {
      throw new SpecException("train.sync: collective cannot run here: " + obstacle
          + ". Fix that, or set train.sync: driver (or auto, which falls back to it)");
    }
    return new SyncChoice(SyncMode.DRIVER, "train.sync: auto fell back to driver: " + obstacle);
  }

  /** Why a barrier job of {@code workers} tasks cannot run on this context, or null. */
  private static String collectiveObstacle(SparkConf conf, SlotWait.Result registered,
      int workers) {
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      return "Spark refuses barrier jobs when spark.dynamicAllocation.enabled=true";
    }
    int slots = taskSlots(conf, registered.cores());
    if (slots < workers) {
      String waited = registered.waitedMs() > 0
          ? " after waiting " + registered.waitedMs() / 1000 + " s for executors to register" : "";
      return "it needs " + workers + " task slots at once (train.workers) and the cluster has "
          + slots + waited + " (" + conf.get("spark.master") + ", spark.task.cpus="
          + conf.getInt("spark.task.cpus", 1) + ")";
    }
    return null;
  }

  /** Tasks the cluster runs at once: local[N] threads, local-cluster cores, else its cores. */
  private static int taskSlots(SparkConf conf, int clusterCores) {
    String master = conf.get("spark.master");
    int taskCpus = taskCpus(conf);
    if (SparkSetup.isLocalThreads(master)) {
      return SparkSetup.localSlots(master) / taskCpus;
    }
    if (master.startsWith("local-cluster[")) {
      String[] parts = master.substring("local-cluster[".length(), master.indexOf(']'))
          .split(",");
      return Integer.parseInt(parts[0].trim()) * Integer.parseInt(parts[1].trim()) / taskCpus;
    }
    return clusterCores / taskCpus;
  }

  private static int taskCpus(SparkConf conf) {
    return Math.max(1, conf.getInt("spark.task.cpus", 1));
  }
}
