package org.sparktrain.driver.run;

import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;
import org.sparktrain.driver.train.SparkNativeKernels;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkPool;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.ThreadLimits;

/**
 * The network a Spark task scores with: one from its executor's pool (built once per executor
 * JVM, not per task), set to the broadcast weights, with ND4J's threads capped so concurrent
 * tasks do not oversubscribe the cores; it goes back to the pool when the task ends.
 */
public final class TaskNetwork {
  private TaskNetwork() {}

  /** Call inside a task. */
  public static Network borrow(String configJson, float[] weights, int threads) {
    SparkNativeKernels.chooseInTask();
    ThreadLimits.apply(threads);
    Network net = NetworkPool.borrow(configJson);
    TaskContext.get().addTaskCompletionListener(
        (TaskCompletionListener) context -> NetworkPool.giveBack(configJson, net));
    NativeArrays.copyInto(net.params(), weights);
    return net;
  }
}
