package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;

/**
 * Real multi-JVM Spark: a Master, two Workers and two executor JVMs (local-cluster), so tasks,
 * broadcasts, shuffles and cached shards really cross process boundaries through Kryo.
 */
class LocalClusterTest {
  @TempDir
  Path dir;

  private static JavaSparkContext start(String master) throws IOException {
    SparkConf conf = new SparkConf();
    if (master.startsWith("local-cluster")) {
      Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
      conf.set("spark.executor.extraClassPath", ChildJvm.testClasspath());
      conf.set("spark.executor.memory", "1024m");
      conf.set("spark.executor.memoryOverhead", "512m");
    }
    return new JavaSparkContext(SparkSetup.strictKryo(SparkSetup.conf(master, "sparktrain-it",
        conf)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> train(String master, JobSpec spec) throws IOException {
    try (JavaSparkContext sc = start(master)) {
      return TrainJob.run(sc, spec, false).summary();
    }
  }

  @Test
  void multiJvmRunMatchesLocalRunExactly() throws IOException {
    Path digits = Path.of("../examples/digits.csv.gz").toAbsolutePath().normalize();
    String yaml = """
        data: {uri: '%s', numClasses: 10}
        model: {name: mlp, hidden: [64]}
        train: {epochs: 4, batchSize: 16, workers: 2, averagingFrequency: 5,
                optimizer: {name: adam, learningRate: 0.003}, threadsPerWorker: 1,
                sync: SYNC}
        """.formatted(digits);
    // Across JVMs the workers average among themselves over TCP; locally the driver averages.
    JobSpec cluster = JobSpecParser.parse(yaml.replace("SYNC", "collective"), null)
        .withOutputDir(dir.resolve("cluster").toUri().toString());
    JobSpec local = JobSpecParser.parse(yaml.replace("SYNC", "driver"), null)
        .withOutputDir(dir.resolve("local").toUri().toString());

    Map<String, Object> clusterSummary = train("local-cluster[2,1,1024]", cluster);
    Map<String, Object> localSummary = train("local[2]", local);

    assertThat(clusterSummary.get("sync")).isEqualTo("collective");
    assertThat(localSummary.get("sync")).isEqualTo("driver");
    Map<String, Object> test = (Map<String, Object>) clusterSummary.get("test");
    assertThat((Double) test.get("accuracy")).isGreaterThan(0.9);
    // Same seeds, same shards, same merge order: neither the executors' JVMs nor who averages
    // makes a difference.
    assertThat(Json.line(clusterSummary.get("test")))
        .isEqualTo(Json.line(localSummary.get("test")));
    assertThat(clusterSummary.get("finalTrainLoss")).isEqualTo(localSummary.get("finalTrainLoss"));
    // Each executor JVM measured its peak in a small job before training; the two share one
    // host, which counts once.
    Map<String, Object> flops = (Map<String, Object>) clusterSummary.get("flops");
    Map<String, Object> peak = (Map<String, Object>) flops.get("peak");
    assertThat((List<Object>) peak.get("hosts")).hasSize(1);
    assertThat((Double) flops.get("utilization")).isGreaterThan(0).isLessThan(1);
    assertThat(flops.get("trainingFlopsPerExample"))
        .isEqualTo(((Map<String, Object>) localSummary.get("flops")).get("trainingFlopsPerExample"));
    assertThat(Files.readAllBytes(dir.resolve("cluster/model/preprocessing.json")))
        .isEqualTo(Files.readAllBytes(dir.resolve("local/model/preprocessing.json")));
    assertThat(Json.line(clusterSummary.get("validation")))
        .isEqualTo(Json.line(localSummary.get("validation")));
    // The executors' JVMs got ND4J's limit derived from the memory settings (512 MiB overhead
    // less the 128 MiB JVM reserve) and JavaCPP's costly resident-size check turned off.
    Map<String, Object> backend = (Map<String, Object>) clusterSummary.get("backend");
    Map<String, Object> executor = ((List<Map<String, Object>>) backend.get("executors")).get(0);
    assertThat(executor.get("kind")).isEqualTo("cpu");
    assertThat(((Number) executor.get("offHeapLimitBytes")).longValue()).isEqualTo(384L << 20);
    assertThat(((Number) executor.get("physicalLimitBytes")).longValue()).isEqualTo(0L);
    // Each executor JVM chose its kernels itself (NativeKernelsPlugin), as the driver did: the
    // same CPU, the same build, hence the same bits as the local run above.
    Map<String, Object> driverKernels = (Map<String, Object>)
        ((Map<String, Object>) backend.get("driver")).get("nativeKernels");
    for (Map<String, Object> e : (List<Map<String, Object>>) backend.get("executors")) {
      assertThat((String) e.get("jvm")).startsWith("executor ");
      assertThat(((Map<String, Object>) e.get("nativeKernels")).get("build"))
          .isEqualTo(driverKernels.get("build"));
    }
  }
}
