package org.sparktrain.driver.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.NetworkConfig;
import org.sparktrain.worker.optim.OptimizerConfig;

class OffHeapLimitsTest {
  private static final long MIB = 1L << 20;

  private static SparkConf cluster() {
    return new SparkConf(false).set("spark.master", "spark://host:7077");
  }

  @Test
  void defaultsFollowSparksOwnOverheadRule() {
    // 1 GiB executors get Spark's minimum overhead of 384 MiB; the JVM keeps 128 MiB of it.
    OffHeapLimits l = OffHeapLimits.derive(cluster());
    assertThat(l.overheadBytes()).isEqualTo(384 * MIB);
    assertThat(l.maxBytes()).isEqualTo(256 * MIB);
    // 10 GiB executors: the overhead is 10% of memory, and the JVM reserve a quarter of it.
    OffHeapLimits big = OffHeapLimits.derive(cluster().set("spark.executor.memory", "10g"));
    assertThat(big.overheadBytes()).isEqualTo(1024 * MIB);
    assertThat(big.maxBytes()).isEqualTo(768 * MIB);
  }

  @Test
  void explicitOverheadAndFactorAreHonoured() {
    OffHeapLimits l = OffHeapLimits.derive(cluster().set("spark.executor.memory", "4096")
        .set("spark.executor.memoryOverhead", "2g"));
    assertThat(l.executorMemoryBytes()).isEqualTo(4096 * MIB);
    assertThat(l.maxBytes()).isEqualTo(1536 * MIB);
    OffHeapLimits f = OffHeapLimits.derive(cluster().set("spark.executor.memory", "8g")
        .set("spark.executor.memoryOverheadFactor", "0.4"));
    assertThat(f.overheadBytes()).isEqualTo((long) (0.4 * 8192) * MIB);
  }

  @Test
  void setupAddsTheFlagsButKeepsAUsersOwn() {
    SparkConf conf = SparkSetup.conf("spark://host:7077", "t", new SparkConf(false)
        .set("spark.executor.memoryOverhead", "1g"));
    String options = conf.get("spark.executor.extraJavaOptions");
    assertThat(options).contains("-XX:G1HeapRegionSize=32m")
        .contains("-Dorg.bytedeco.javacpp.maxbytes=" + 768 * MIB)
        .contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=0");

    SparkConf own = SparkSetup.conf("spark://host:7077", "t", new SparkConf(false)
        .set("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=3g"));
    assertThat(own.get("spark.executor.extraJavaOptions")).isEqualTo(
        "-Dorg.bytedeco.javacpp.maxbytes=3g -XX:G1HeapRegionSize=32m"
            + " -Dorg.bytedeco.javacpp.maxphysicalbytes=0");
    // A resident-size limit of the user's own stays on.
    SparkConf check = SparkSetup.conf("spark://host:7077", "t", new SparkConf(false)
        .set("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=6g"));
    assertThat(check.get("spark.executor.extraJavaOptions"))
        .contains("-Dorg.bytedeco.javacpp.maxPhysicalBytes=6g")
        .doesNotContain("maxphysicalbytes=0");
    assertThat(OffHeapLimits.derive(own).effectiveMaxBytes(own)).isEqualTo(3072 * MIB);

    SparkConf local = SparkSetup.conf("local[2]", "t", new SparkConf(false));
    assertThat(local.get("spark.executor.extraJavaOptions")).doesNotContain("maxbytes");
  }

  @Test
  void aModelTooLargeForTheOverheadIsRefusedNamingTheSetting() {
    NetworkConfig big = new MlpConfig(new int[] {4096, 4096}, Activation.RELU, 0, false)
        .build(784, 10, new OptimizerConfig(OptimizerConfig.Kind.ADAM, 1e-3, 0.9, 0.9, 0.999,
            1e-8), 1);
    long perTask = OffHeapPreCheck.bytesPerTask(big, 784, 256);
    // ~20M parameters: weights, gradients and two Adam moments alone are over 300 MiB.
    assertThat(perTask).isGreaterThan(300 * MIB);
    assertThatThrownBy(() -> OffHeapPreCheck.check(cluster(), perTask, 2))
        .hasMessageContaining("spark.executor.memoryOverhead (now 384 MiB")
        .hasMessageContaining("Raise")
        .hasMessageContaining("train.batchSize");
    long suggested = OffHeapPreCheck.suggestedOverheadMib(perTask);
    SparkConf raised = cluster().set("spark.executor.memoryOverhead", suggested + "m");
    OffHeapPreCheck.check(raised, perTask, 2); // the advice is enough

    NetworkConfig small = new MlpConfig(new int[] {64}, Activation.RELU, 0, false)
        .build(64, 10, new OptimizerConfig(OptimizerConfig.Kind.ADAM, 1e-3, 0.9, 0.9, 0.999,
            1e-8), 1);
    OffHeapPreCheck.check(cluster(), OffHeapPreCheck.bytesPerTask(small, 64, 16), 2);
  }
}
