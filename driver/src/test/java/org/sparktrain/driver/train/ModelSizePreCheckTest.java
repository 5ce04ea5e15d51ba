package org.sparktrain.driver.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.worker.model.NetworkConfig;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * A spec whose every key is within its bounds can still define a network no machine holds; it
 * is refused from the configuration alone, in milliseconds, naming the key.
 */
class ModelSizePreCheckTest {
  private static final SparkConf LOCAL = new SparkConf().set("spark.master", "local[2]");

  private static SpecException refusal(String hidden) {
    JobSpec spec = JobSpecParser.parse("data: {uri: x.csv, numClasses: 10}\n"
        + "model: {name: mlp, hidden: " + hidden + "}\n", Path.of("/data"));
    NetworkConfig network = spec.model().build(64, 10, new OptimizerConfig(
        OptimizerConfig.Kind.ADAM, 1e-3, 0.9, 0.9, 0.999, 1e-8), 1);
    long start = System.nanoTime();
    long heapBefore = usedHeap();
    SpecException e = catchThrowableOfType(() -> ModelSizePreCheck.check(LOCAL, spec, network,
        64), SpecException.class);
    assertThat(e).as("refused").isNotNull();
    assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(1.0);
    assertThat(usedHeap() - heapBefore).as("heap bytes").isLessThan(64L << 20);
    return e;
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  @Test
  void moreParametersThanAFloatArrayHolds_areRefusedNamingTheKey() {
    assertThat(refusal("[65536, 65536]").getMessage()).isEqualTo("model.hidden [65536, 65536]: "
        + "the network would have 4,299,948,042 parameters (16,403 MiB as floats, and "
        + "optimizer state beside them); at most 2,147,483,639 are supported. Use fewer or "
        + "narrower hidden layers in model.hidden");
  }

  @Test
  void aNetworkBeyondTheDriversMemory_isRefusedWithTheSizeAndTheLimits() {
    // 400M parameters and two Adam moments each: 4.8 GB, above the test JVM's heap.
    assertThat(refusal("[20000, 20000]").getMessage())
        .startsWith("model.hidden [20000, 20000]: the network has 401,520,010 parameters and "
            + "803,040,020 optimizer state values (4,595 MiB as floats), which the driver holds")
        .contains("MiB of heap (-Xmx, --driver-memory)")
        .contains("org.bytedeco.javacpp.maxbytes")
        .contains("Use fewer or narrower hidden layers in model.hidden, or give the driver more "
            + "memory");
  }
}
