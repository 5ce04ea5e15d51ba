package org.sparktrain.driver.cluster;

import java.util.Locale;
import org.apache.spark.SparkConf;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.sparktrain.worker.model.NetworkConfig;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, before the first round, a run whose training tasks cannot fit in the executors' ND4J
 * off-heap limit, saying which setting to raise. The need per task comes from DL4J's memory
 * report for the network at the spec's batch size (parameters, gradients, optimizer state and
 * activations); it is an estimate, so a run that passes can still hit the limit, and then fails
 * with the same advice from {@link org.sparktrain.worker.backend.NativeMemory}.
 */
public final class OffHeapPreCheck {
  private static final Logger LOG = LoggerFactory.getLogger(OffHeapPreCheck.class);
  /** Each task also holds the snapshot it loads and the result it returns. */
  private static final double HEADROOM = 1.25;

  private OffHeapPreCheck() {}

  /** The estimated off-heap bytes one training task needs. */
  public static long bytesPerTask(NetworkConfig network, int numFeatures, int batchSize) {
    try {
      return (long) (HEADROOM * network.memoryReport(numFeatures).getTotalMemoryBytes(batchSize,
          MemoryUseMode.TRAINING, CacheMode.NONE, DataType.FLOAT));
    } catch (RuntimeException e) {
      // Layers without a memory report (custom SameDiff layers): parameters, gradients and two
      // optimizer state copies. Activations are not counted: the estimate is a floor. Only layer
      // stacks hold such layers.
      MultiLayerConfiguration conf = network.layers();
      long params = 0;
      for (int i = 0; i < conf.getConfs().size(); i++) {
        try {
          params += conf.getConf(i).getLayer().initializer().numParams(conf.getConf(i));
        } catch (RuntimeException unknown) {
          LOG.debug("no parameter count for layer {}: {}", i, unknown.toString());
        }
      }
      return (long) (HEADROOM * params * 4 * 4);
    }
  }

  /** Throws when {@code tasks} concurrent tasks of {@code perTask} bytes exceed the limit. */
  public static void check(SparkConf sparkConf, long perTask, int workers) {
    String master = sparkConf.get("spark.master");
    long limit;
    int tasks;
    String raise;
    if (SparkSetup.isLocalThreads(master)) {
      limit = Pointer.maxBytes();
      tasks = Math.max(1, Math.min(workers, SparkSetup.localSlots(master)));
      raise = "the driver's -Dorg.bytedeco.javacpp.maxbytes (or -Xmx, which it follows by "
          + "default; bin/sparktrain reads SPARKTRAIN_JAVA_OPTS)";
    } else {
      OffHeapLimits limits = OffHeapLimits.derive(sparkConf);
      limit = limits.effectiveMaxBytes(sparkConf);
      tasks = Math.max(1, Math.min(workers, sparkConf.getInt("spark.executor.cores", 1)
          / Math.max(1, sparkConf.getInt("spark.task.cpus", 1))));
      raise = "spark.executor.memoryOverhead (now " + (limits.overheadBytes() >> 20)
          + " MiB; the ND4J limit is derived from it, see README 'Memory')";
    }
    long need = perTask * tasks;
    LOG.info("ND4J off-heap estimate: {} MiB per training task x {} concurrent per executor, "
        + "limit {} MiB", perTask >> 20, tasks, limit >> 20);
    if (need > limit) {
      throw new IllegalStateException(String.format(Locale.ROOT, "the model needs about %,d MiB "
          + "of ND4J off-heap memory per executor (%d concurrent task(s) x %,d MiB at "
          + "train.batchSize), but executors may use %,d MiB. Raise %s to at least %,d MiB, or "
          + "lower train.batchSize or the model size.", need >> 20, tasks, perTask >> 20,
          limit >> 20, raise, suggestedOverheadMib(need)));
    }
  }

  /** An overhead whose derived limit covers {@code need} (inverse of OffHeapLimits.derive). */
  static long suggestedOverheadMib(long need) {
    long mib = (need >> 20) + 1;
    return Math.max(384, Math.max(mib + 128, (long) Math.ceil(mib / 0.75)));
  }
}
