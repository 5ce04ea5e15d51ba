package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.sync.SyncFaults;

/**
 * The collective data plane under attack, on real Spark: with Spark's authentication on (and
 * its encryption, across JVMs), strangers that connect to the driver's rendezvous and round
 * feed and to the workers' mesh ports without the secret, send noise, claim a rank or say
 * nothing are refused, and the run ends bitwise equal to an undisturbed one in about the same
 * time. A bad peer in the middle of a stretch (corrupted frame, wrong length, wrong example
 * count, a stream that stops) fails the round naming the peer and the fault, and the stretch
 * replays to the same bits.
 */
class CollectiveDataPlaneTest {
  private static final String SECRET = "data-plane-test-secret";
  private static Path digits;
  /** The undisturbed run's results: driver sync, no security, local[2]. */
  private static Map<String, Object> reference;
  private static double referenceSeconds;

  @TempDir
  static Path shared;
  @TempDir
  Path dir;

  private static String yaml(String sync, int epochs) {
    return """
        data: {uri: '%s', numClasses: 10, split: {train: 0.6, validation: 0.1, test: 0.3}}
        model: {name: mlp, hidden: [32]}
        train: {epochs: %d, batchSize: 16, workers: 2, averagingFrequency: 4,
                optimizer: {name: adam, learningRate: 0.003}, threadsPerWorker: 1, sync: %s}
        eval: {validateEveryRounds: 6}
        """.formatted(digits, epochs, sync);
  }

  @BeforeAll
  static void undisturbedRun() throws IOException {
    digits = Path.of("../examples/digits.csv.gz").toAbsolutePath().normalize();
    long start = System.nanoTime();
    reference = train(new SparkConf(), "local[2]", yaml("driver", 2),
        shared.resolve("reference"));
    referenceSeconds = (System.nanoTime() - start) / 1e9;
  }

  @AfterEach
  void noFaultLeft() {
    SyncFaults.clear();
  }

  private static Map<String, Object> train(SparkConf conf, String master, String yaml, Path out)
      throws IOException {
    try (JavaSparkContext sc = new JavaSparkContext(SparkSetup.conf(master, "data-plane",
        conf))) {
      sc.setLogLevel("WARN");
      JobSpec spec = JobSpecParser.parse(yaml, null).withOutputDir(out.toUri().toString());
      return TrainJob.run(sc, spec, false).summary();
    }
  }

  private static SparkConf authenticated() {
    return new SparkConf().set("spark.authenticate", "true")
        .set("spark.authenticate.secret", SECRET)
        // Every worker reached over TCP, so the mesh's ports are real even in one JVM.
        .set("spark.sparktrain.sync.sameJvmHandOff", "false");
  }

  private static void assertSameResultAsReference(Map<String, Object> summary) {
    assertThat(summary.get("sync")).isEqualTo("collective");
    assertThat(summary.get("finalTrainLoss")).isEqualTo(reference.get("finalTrainLoss"));
    assertThat(Json.line(summary.get("test"))).isEqualTo(Json.line(reference.get("test")));
    assertThat(Json.line(summary.get("validation")))
        .isEqualTo(Json.line(reference.get("validation")));
  }

  private static void assertEveryAttackRefused(PortIntruder intruder, int atLeastPorts) {
    Map<Integer, List<String>> outcomes = intruder.outcomes();
    System.err.println("[data-plane test] ports attacked: " + outcomes.size());
    assertThat(outcomes.size()).as("data-plane ports attacked: %s", outcomes)
        .isGreaterThanOrEqualTo(atLeastPorts);
    outcomes.forEach((port, results) -> assertThat(results).as("port %d", port)
        .allSatisfy(r -> assertThat(r).doesNotContain("ADMITTED")));
  }

  @Test
  void strangersAreRefusedOnLocalThreadsAndTheRunEndsBitwiseEqual() throws Exception {
    long start = System.nanoTime();
    Map<String, Object> summary;
    PortIntruder intruder;
    try (JavaSparkContext sc = new JavaSparkContext(SparkSetup.conf("local[2]", "data-plane",
        authenticated()))) {
      sc.setLogLevel("WARN");
      JobSpec spec = JobSpecParser.parse(yaml("collective", 2), null)
          .withOutputDir(dir.resolve("run").toUri().toString());
      try (PortIntruder watching = PortIntruder.start()) {
        intruder = watching;
        summary = TrainJob.run(sc, spec, false).summary();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertSameResultAsReference(summary);
    // Every stretch opens a rendezvous, a feed and two mesh ports.
    assertEveryAttackRefused(intruder, 4);
    // Not held up by the silent connections (each handshake waits 15 s at most, concurrently).
    assertThat(seconds).isLessThan(2 * referenceSeconds + 20);
  }

  @Test
  void strangersAreRefusedAcrossJvmsWithEncryptionAndTheRunEndsBitwiseEqual() throws Exception {
    Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
    SparkConf conf = authenticated().set("spark.network.crypto.enabled", "true")
        .set("spark.executor.extraClassPath", ChildJvm.testClasspath())
        .set("spark.executor.memory", "1024m")
        .set("spark.executor.memoryOverhead", "512m");
    Map<String, Object> summary;
    PortIntruder intruder;
    try (JavaSparkContext sc = new JavaSparkContext(SparkSetup.conf("local-cluster[2,1,1024]",
        "data-plane", conf))) {
      sc.setLogLevel("WARN");
      // Only after both executors are up: their own (Spark's) ports are not ours to attack.
      waitForExecutors(sc, 2);
      JobSpec spec = JobSpecParser.parse(yaml("collective", 2), null)
          .withOutputDir(dir.resolve("run").toUri().toString());
      try (PortIntruder watching = PortIntruder.start()) {
        intruder = watching;
        summary = TrainJob.run(sc, spec, false).summary();
      }
    }
    assertSameResultAsReference(summary);
    assertEveryAttackRefused(intruder, 4);
  }

  private static void waitForExecutors(JavaSparkContext sc, int executors)
      throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    // The driver counts as one.
    while (sc.sc().getExecutorMemoryStatus().size() < executors + 1) {
      assertThat(System.nanoTime()).as("executors up within 120 s").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(SyncFaults.Fault.class)
  void aBadPeerFailsTheRoundNamingItAndTheStretchReplaysToTheSameBits(SyncFaults.Fault fault)
      throws IOException {
    List<String> failures = new CopyOnWriteArrayList<>();
    SparkConf conf = authenticated().set("spark.sparktrain.sync.peerTimeoutSeconds", "3");
    Map<String, Object> summary;
    // local[2,2]: the stretch may run twice, as on a cluster.
    try (JavaSparkContext sc = new JavaSparkContext(SparkSetup.conf("local[2,2]", "data-plane",
        conf))) {
      sc.setLogLevel("ERROR");
      sc.sc().addSparkListener(new SparkListener() {
        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
          if (end.reason() instanceof ExceptionFailure f) {
            failures.add(f.description());
          }
        }
      });
      SyncFaults.injectOnce(fault, 1, 9);
      JobSpec spec = JobSpecParser.parse(yaml("collective", 2), null)
          .withOutputDir(dir.resolve("run").toUri().toString());
      summary = TrainJob.run(sc, spec, false).summary();
    }
    assertSameResultAsReference(summary);
    String expected = switch (fault) {
      case CORRUPT_BYTE -> "checksum does not match its content (corrupted in transit)";
      case WRONG_LENGTH -> "values, expected";
      case WRONG_EXAMPLES -> "synchronization peer rank 1 declares";
      case STOP_SENDING -> "sent nothing for 3 s (reduce-scatter of round 9)";
    };
    assertThat(failures).as("why the tasks failed").anySatisfy(f -> assertThat(f)
        .contains("worker 0 of a collective run").contains("rank 1").contains(expected));
  }
}
