package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.train.SparkSetup;

/**
 * An executor JVM killed with SIGKILL in the middle of a run, with either synchronization: the
 * lost work is redone (driver: Spark reruns the lost tasks; collective: the barrier job fails
 * and its stretch of rounds reruns from the stretch's starting snapshot), lost cached shards are
 * recomputed from their lineage, and the run ends with exactly the parameters of a fault-free
 * run.
 */
class ExecutorKillTest {
  /** The first round a job trains, from its description ("round 40 (...)", "rounds 38-75"). */
  private static final java.util.regex.Pattern FIRST_ROUND =
      java.util.regex.Pattern.compile("^rounds? (\\d+)");
  private static final long KILL_ROUND = 38;
  private static final long KILL_DELAY_MS = 300;

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

  @ParameterizedTest
  @ValueSource(strings = {"driver", "collective"})
  void runEndsIdenticalToAFaultFreeRun(String sync) throws Exception {
    String data = ItSpecs.blobs(dir, 3000).toUri().toString();
    JobSpec faulty = ItSpecs.spec(data, dir.resolve("faulty").toUri().toString(), 3,
        "{everyEpoch: true}", sync);
    // The reference trains on local[2] with the driver strategy: equal to either.
    JobSpec clean = ItSpecs.spec(data, dir.resolve("clean").toUri().toString(), 3,
        "{everyEpoch: true}", "driver");

    // Kill an executor shortly after the job that trains round KILL_ROUND starts: the round's
    // own job with the driver strategy, the barrier job of the second epoch's stretch with the
    // collective one. Rounds take tens of ms, so the kill lands inside that job.
    AtomicLong killedPid = new AtomicLong(-1);
    AtomicLong killedDuring = new AtomicLong(-1);
    SparkListener killer = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart job) {
        String description = job.properties().getProperty("spark.job.description", "");
        java.util.regex.Matcher m = FIRST_ROUND.matcher(description);
        if (m.find() && Long.parseLong(m.group(1)) >= KILL_ROUND
            && killedDuring.compareAndSet(-1, Long.parseLong(m.group(1)))) {
          new Thread(() -> {
            try {
              Thread.sleep(KILL_DELAY_MS);
            } catch (InterruptedException e) {
              return;
            }
            anExecutor().ifPresent(p -> {
              killedPid.set(p.pid());
              p.destroyForcibly(); // SIGKILL
            });
          }).start();
        }
      }
    };

    Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
    SparkConf conf = SparkSetup.conf("local-cluster[2,1,1024]", "sparktrain-executor-kill")
        .set("spark.executor.extraClassPath", ChildJvm.testClasspath())
        .set("spark.executor.memory", "1024m");
    float[] faultyParams;
    int rounds;
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.sc().addSparkListener(killer);
      TrainJob.Result r = TrainJob.run(sc, faulty, false);
      assertThat(r.summary().get("sync")).isEqualTo(sync);
      faultyParams = r.model().network().params().toFloatVector();
      rounds = r.model().history().size();
    }
    assertThat(killedPid.get()).as("an executor was killed mid-run").isPositive();
    assertThat(rounds).isGreaterThan((int) KILL_ROUND);
    try (JavaSparkContext sc = ItSpecs.local(new SparkConf(false))) {
      float[] cleanParams = TrainJob.run(sc, clean, false).model().network().params()
          .toFloatVector();
      assertThat(faultyParams).containsExactly(cleanParams);
    }
  }
}
