package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.train.SparkSetup;

/**
 * An executor JVM killed with SIGKILL in the middle of a run: Spark reruns the lost tasks
 * (recomputing the lost cached shard from its lineage) and the run ends with exactly the
 * parameters of a fault-free run.
 */
class ExecutorKillTest {
  @TempDir
  Path dir;

  /** An executor JVM of this machine (read from /proc: Java truncates long command lines). */
  private static Optional<ProcessHandle> anExecutor() {
    return ProcessHandle.allProcesses().filter(p -> {
      try {
        return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"),
            java.nio.charset.StandardCharsets.ISO_8859_1).contains("CoarseGrainedExecutorBackend");
      } catch (IOException e) {
        return false;
      }
    }).findFirst();
  }

  @Test
  void runEndsIdenticalToAFaultFreeRun() throws Exception {
    String data = ItSpecs.blobs(dir, 3000).toUri().toString();
    JobSpec faulty = ItSpecs.spec(data, dir.resolve("faulty").toUri().toString(), 3,
        "{everyEpoch: true}");
    JobSpec clean = ItSpecs.spec(data, dir.resolve("clean").toUri().toString(), 3,
        "{everyEpoch: true}");

    AtomicLong killedPid = new AtomicLong(-1);
    Thread killer = new Thread(() -> {
      Path metrics = dir.resolve("faulty/metrics.jsonl");
      long deadline = System.currentTimeMillis() + 180_000;
      try {
        while (System.currentTimeMillis() < deadline) {
          if (Files.exists(metrics) && Files.readAllLines(metrics).size() >= 15) {
            anExecutor().ifPresent(p -> {
              killedPid.set(p.pid());
              p.destroyForcibly(); // SIGKILL
            });
            return;
          }
          Thread.sleep(20);
        }
      } catch (IOException | InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
    SparkConf conf = SparkSetup.conf("local-cluster[2,1,1024]", "sparktrain-executor-kill")
        .set("spark.executor.extraClassPath", ChildJvm.testClasspath())
        .set("spark.executor.memory", "1024m");
    float[] faultyParams;
    int rounds;
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      killer.start();
      TrainJob.Result r = TrainJob.run(sc, faulty, false);
      killer.join();
      faultyParams = r.model().network().params().toFloatVector();
      rounds = r.model().history().size();
    }
    assertThat(killedPid.get()).as("an executor was killed mid-run").isPositive();
    assertThat(rounds).isGreaterThan(15);
    try (JavaSparkContext sc = ItSpecs.local(new SparkConf(false))) {
      float[] cleanParams = TrainJob.run(sc, clean, false).model().network().params()
          .toFloatVector();
      assertThat(faultyParams).containsExactly(cleanParams);
    }
  }
}
