package org.sparktrain.driver.train;

import java.util.Map;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.backend.BackendException;

/**
 * Chooses ND4J's CPU kernels on each executor as it starts, from that machine's CPU and
 * {@code spark.sparktrain.native}: an executor initializes its plugins before it runs any task,
 * so nothing can have loaded ND4J yet. {@link SparkSetup} adds it to {@code spark.plugins}. The
 * driver chooses for itself in {@link SparkSetup#conf}.
 */
public final class NativeKernelsPlugin implements SparkPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(NativeKernelsPlugin.class);

  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {
        try {
          SparkNativeKernels.choose(ctx.conf());
        } catch (BackendException e) {
          // Not fatal here (Spark would only restart the executor, again and again): the first
          // task asks again (SparkNativeKernels.chooseInTask) and fails with this message.
          LOG.error("ND4J native kernels: {}", e.getMessage());
        }
      }
    };
  }
}
