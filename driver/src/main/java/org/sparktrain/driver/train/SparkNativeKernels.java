package org.sparktrain.driver.train;

import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.backend.NativeChoice;
import org.sparktrain.worker.backend.NativeKernels;

/**
 * {@link NativeKernels}' choice made from a Spark configuration's
 * {@value NativeKernels#SETTING}, on the driver and in tasks. The first call in a JVM decides,
 * so each call site is one that runs before ND4J can have loaded there.
 */
public final class SparkNativeKernels {
  private SparkNativeKernels() {}

  public static Optional<NativeChoice> choose(SparkConf conf) {
    return NativeKernels.chooseBeforeNd4j(conf.get(NativeKernels.SETTING, null));
  }

  /**
   * In a task, before it touches ND4J: covers executors that started without
   * {@link NativeKernelsPlugin} (a session not built by {@link SparkSetup}). Where the plugin ran,
   * this returns its choice.
   */
  public static Optional<NativeChoice> chooseInTask() {
    SparkEnv env = SparkEnv.get();
    return env == null ? NativeKernels.current() : choose(env.conf());
  }
}
