package org.sparktrain.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.cluster.SparkSetup;

/**
 * Synchronization cost against the number of workers, for both strategies: the digits data, an
 * MLP 64-1024-1024-10 (1.1M parameters, Adam: 3 x 4.4 MB synchronized per worker) on local[N]
 * with N workers, H=5. Prints one Markdown row per (N, strategy): median synchronization ms per
 * round, bytes on the wire per round and per worker, and the bytes through the driver per round.
 * On one machine every "network" byte is a loopback copy, so the times show the protocol's
 * costs, not a cluster's network. Rounds after the first of each stretch only.
 *
 * <pre>benchmarks/run-scaling.sh [--workers 2,4,8] [--epochs 3]</pre>
 */
public final class ScalingBenchmark {
  static final String USAGE = "usage: ScalingBenchmark [--workers 2,4,8] [--epochs 3] "
      + "[--hidden 1024] [--syncs driver,collective]";

  private ScalingBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("workers", "epochs", "hidden", "syncs"), USAGE);
    int epochs = args.integer("epochs", 3, 1, USAGE);
    int hidden = args.integer("hidden", 1024, 1, USAGE);
    Path digits = Path.of("examples/digits.csv.gz").toAbsolutePath();
    Path tmp = Files.createTempDirectory("scaling-bench");
    List<String> rows = new ArrayList<>();
    for (String w : args.string("workers", "2,4,8").split(",")) {
      int n = Integer.parseInt(w.trim());
      try (JavaSparkContext sc = SparkSetup.start("local[" + n + "]", "scaling-bench")) {
        for (String sync : args.string("syncs", "driver,collective").split(",")) {
          String yaml = """
              data: {uri: '%s', numClasses: 10, split: {train: 1.0, validation: 0, test: 0}}
              model: {name: mlp, hidden: [%d, %d]}
              train: {epochs: %d, batchSize: 16, workers: %d, averagingFrequency: 5, sync: %s,
                      optimizer: {name: adam, learningRate: 0.001}, threadsPerWorker: 1}
              checkpoint: {everyEpoch: false}
              output: {dir: '%s'}
              """.formatted(digits, hidden, hidden, epochs, n, sync,
              tmp.resolve(sync + "-" + n));
          TrainJob.Result result = TrainJob.run(sc, JobSpecParser.parse(yaml, null), false);
          rows.add(row(n, sync, result.model().history(), snapshotBytes(result)));
          System.err.println(rows.get(rows.size() - 1));
        }
      }
    }
    System.out.println("| workers | sync | sync ms/round (median) | wire bytes/round "
        + "| per worker | through the driver/round |");
    System.out.println("|---:|---|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
    // A collective run leaves Spark's non-daemon barrier timer in this JVM (local mode).
    System.exit(0);
  }

  private static long snapshotBytes(TrainJob.Result result) {
    return result.model().finalProgress().snapshot().sizeBytes();
  }

  private static String row(int n, String sync, List<RoundMetrics> history, long snapshot) {
    // The first round of each stretch (here: of each epoch) carries the job start: leave it out.
    int perEpoch = (int) history.stream().filter(r -> r.epoch() == 0).count();
    double[] syncMs = history.stream().filter(r -> r.round() % perEpoch != 0)
        .mapToDouble(RoundMetrics::syncMs).toArray();
    long wire = history.get(history.size() - 1).bytesMoved();
    // driver: every byte passes through it; collective: the snapshot goes out and comes back
    // once per stretch (an epoch here), spread over its rounds.
    long throughDriver = sync.equals("driver") ? wire : 2 * snapshot / perEpoch;
    return String.format(Locale.ROOT, "| %d | %s | %.1f | %,d | %,d | %,d |", n, sync,
        BenchJson.median(syncMs), wire, wire / n, throughDriver);
  }
}
