package org.sparktrain.dl4j;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DL4J's synchronous parameter averaging, built as a DL4J program builds it, run by
 * sparktrain's engine: each of {@code numWorkers} workers runs {@code averagingFrequency}
 * minibatches of {@code batchSizePerWorker} examples from the same parameters, then parameters
 * and updater state are averaged (by the driver or among the executors, see
 * {@link Builder#syncStrategy}). Every {@code fit} is one epoch over the RDD.
 *
 * <p>Options that only tune how DL4J moves data ({@code rddTrainingApproach},
 * {@code repartionData}, {@code storageLevel}, {@code exportDirectory}, ...) are accepted and
 * ignored, each logged once: the engine packs the examples into one cached block per worker and
 * keeps them for the epoch. Unlike DL4J the default seed is fixed (42), so the same program
 * trains to the same parameters every time.
 */
public final class ParameterAveragingTrainingMaster implements TrainingMaster<Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(
      ParameterAveragingTrainingMaster.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private final EngineSettings settings;
  private final int rddDataSetNumExamples;
  private boolean collectTrainingStats;

  /**
   * DL4J's positional constructor.
   *
   * @param numWorkers null for Spark's default parallelism
   */
  public ParameterAveragingTrainingMaster(boolean saveUpdater, Integer numWorkers,
      int rddDataSetNumExamples, int batchSizePerWorker, int averagingFrequency,
      int prefetchNumBatches) {
    this(new Builder(numWorkers == null ? 0 : numWorkers, rddDataSetNumExamples)
        .saveUpdater(saveUpdater).batchSizePerWorker(batchSizePerWorker)
        .averagingFrequency(averagingFrequency).workerPrefetchNumBatches(prefetchNumBatches));
  }

  private ParameterAveragingTrainingMaster(Builder b) {
    this.settings = new EngineSettings(b.numWorkers, b.batchSizePerWorker, b.averagingFrequency,
        b.rngSeed, b.sync);
    this.rddDataSetNumExamples = b.rddDataSetNumExamples;
    this.collectTrainingStats = b.collectTrainingStats;
  }

  @Override
  public EngineSettings engineSettings() {
    return settings;
  }

  public int getBatchSizePerWorker() {
    return settings.batchSizePerWorker();
  }

  public int getAveragingFrequency() {
    return settings.averagingFrequency();
  }

  /** The examples per DataSet the program declared (not needed here: rows are regrouped). */
  public int getRddDataSetNumExamples() {
    return rddDataSetNumExamples;
  }

  @Override
  public void setCollectTrainingStats(boolean collectTrainingStats) {
    if (collectTrainingStats) {
      ignored("setCollectTrainingStats(true)", "per-round metrics are kept by the spec API's "
          + "runs instead");
    }
    this.collectTrainingStats = collectTrainingStats;
  }

  @Override
  public boolean getIsCollectTrainingStats() {
    return collectTrainingStats;
  }

  /** Logs once per JVM that a DL4J option has no effect here, and why. */
  static void ignored(String option, String why) {
    if (WARNED.add(option)) {
      LOG.warn("ParameterAveragingTrainingMaster: {} is accepted and ignored by sparktrain: {}",
          option, why);
    }
  }

  @Override
  public String toString() {
    return "ParameterAveragingTrainingMaster" + settings;
  }

  /** DL4J's builder, with its method names (including {@code repartionData}). */
  public static final class Builder {
    private static final String DATA_MOVEMENT = "the engine packs each fit's examples into one "
        + "cached block per worker itself";

    private int numWorkers;
    private final int rddDataSetNumExamples;
    private int batchSizePerWorker = 16;
    private int averagingFrequency = 5;
    private long rngSeed = 42;
    private boolean collectTrainingStats;
    private String sync = "auto";

    /**
     * @param rddDataSetNumExamples examples per DataSet in the training RDD (DL4J needs it to
     *     count minibatches; here the rows are regrouped, so it is only checked)
     */
    public Builder(int rddDataSetNumExamples) {
      this(0, rddDataSetNumExamples);
    }

    /** @param numWorkers the data-parallel workers; 0 = Spark's default parallelism */
    public Builder(int numWorkers, int rddDataSetNumExamples) {
      if (numWorkers < 0) {
        throw new IllegalArgumentException("Invalid number of workers: " + numWorkers
            + " (must be >= 1, or 0 for Spark's default parallelism)");
      }
      if (rddDataSetNumExamples < 1) {
        throw new IllegalArgumentException("Invalid rdd data set size: "
            + rddDataSetNumExamples + " (must be >= 1)");
      }
      this.numWorkers = numWorkers;
      this.rddDataSetNumExamples = rddDataSetNumExamples;
    }

    /** Examples per minibatch on each worker (DL4J's default 16). */
    public Builder batchSizePerWorker(int batchSizePerWorker) {
      if (batchSizePerWorker < 1) {
        throw new IllegalArgumentException("Invalid batch size per worker: "
            + batchSizePerWorker + " (must be >= 1)");
      }
      this.batchSizePerWorker = batchSizePerWorker;
      return this;
    }

    /**
     * Minibatches between averagings (DL4J's default 5). Averaging too often costs a network
     * round trip per few steps; too rarely lets the workers' models drift apart.
     */
    public Builder averagingFrequency(int averagingFrequency) {
      if (averagingFrequency < 1) {
        throw new IllegalArgumentException("Invalid averaging frequency: " + averagingFrequency
            + " (must be >= 1)");
      }
      this.averagingFrequency = averagingFrequency;
      return this;
    }

    /** The engine's seed: each epoch's shard order and dropout streams derive from it. */
    public Builder rngSeed(long rngSeed) {
      this.rngSeed = rngSeed;
      return this;
    }

    /**
     * Who averages (sparktrain's {@code train.sync}): {@code "collective"} (executors among
     * themselves, in one barrier job per stretch), {@code "driver"} (a Spark job per round),
     * or {@code "auto"} (collective where the cluster allows it). Not in DL4J.
     */
    public Builder syncStrategy(String sync) {
      if (!Set.of("auto", "collective", "driver").contains(sync)) {
        throw new IllegalArgumentException("Invalid sync strategy: '" + sync + "' (allowed: "
            + "auto, collective, driver)");
      }
      this.sync = sync;
      return this;
    }

    /** Accepted and ignored: the engine prefetches nothing; a shard is in memory. */
    public Builder workerPrefetchNumBatches(int prefetchNumBatches) {
      ignored("workerPrefetchNumBatches", "each worker's shard is already in memory");
      return this;
    }

    /**
     * Accepted; the updater state (Adam's moments, ...) is always averaged with the parameters
     * and kept from one {@code fit} to the next, DL4J's {@code saveUpdater(true)}.
     */
    public Builder saveUpdater(boolean saveUpdater) {
      if (!saveUpdater) {
        ignored("saveUpdater(false)", "the updater state is always averaged and kept");
      }
      return this;
    }

    /** Accepted and ignored: the parameters are averaged exactly, in one step. */
    public Builder aggregationDepth(int aggregationDepth) {
      ignored("aggregationDepth", "averaging is done in one exact step");
      return this;
    }

    public Builder rddTrainingApproach(RDDTrainingApproach approach) {
      ignored("rddTrainingApproach", DATA_MOVEMENT);
      return this;
    }

    public Builder repartionData(Repartition repartition) {
      ignored("repartionData", DATA_MOVEMENT);
      return this;
    }

    public Builder repartitionStrategy(RepartitionStrategy strategy) {
      ignored("repartitionStrategy", DATA_MOVEMENT);
      return this;
    }

    public Builder storageLevel(StorageLevel storageLevel) {
      ignored("storageLevel", DATA_MOVEMENT);
      return this;
    }

    public Builder storageLevelStreams(StorageLevel storageLevel) {
      ignored("storageLevelStreams", DATA_MOVEMENT);
      return this;
    }

    public Builder exportDirectory(String exportDirectory) {
      ignored("exportDirectory", DATA_MOVEMENT + "; nothing is exported");
      return this;
    }

    /** Accepted; statistics are not collected (see {@link #setCollectTrainingStats}). */
    public Builder collectTrainingStats(boolean collectTrainingStats) {
      if (collectTrainingStats) {
        ignored("collectTrainingStats(true)", "per-round metrics are kept by the spec API's "
            + "runs instead");
      }
      this.collectTrainingStats = collectTrainingStats;
      return this;
    }

    public ParameterAveragingTrainingMaster build() {
      return new ParameterAveragingTrainingMaster(this);
    }
  }
}
