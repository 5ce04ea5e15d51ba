package org.sparktrain.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.cluster.SparkSetup;

/**
 * Spine benchmark system (b): sparktrain itself, through the same path as {@code sparktrain
 * train}: a YAML job spec (IDX MNIST, scale normalisation = pixels / 255 since the training max is
 * 255, MLP 784-256-256-10 ReLU, Adam 1e-3, batch 32 per worker, W workers, averaging frequency H),
 * {@link JobSpecParser}, {@link SparkSetup#start}, {@link TrainJob#run}. One run trains warm-up +
 * timed epochs; an epoch's time is the sum of its rounds' wall times from the round history, and
 * only timed epochs are reported. Prints one JSON line on stdout; logs go to stderr.
 */
public final class SparktrainRunner {
  private static final String WHO = "sparktrain";
  static final String USAGE = "usage: SparktrainRunner --mnist DIR [--averaging-frequency 5]"
      + " [--workers 2] [--master local[W]] [--limit N] [--warmup-epochs 1] [--timed-epochs 3]"
      + " [--batch 32] [--seed 42] [--threads-per-worker 0(auto)] [--sync auto]";

  private SparktrainRunner() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("mnist", "averaging-frequency", "workers",
        "master", "limit", "warmup-epochs", "timed-epochs", "batch", "seed",
        "threads-per-worker", "sync"), USAGE);
    if (!args.has("mnist")) {
      BenchArgs.fail("--mnist DIR is required", USAGE);
    }
    Path mnist = Path.of(args.string("mnist", null)).toAbsolutePath();
    int h = args.integer("averaging-frequency", 5, 1, USAGE);
    int workers = args.integer("workers", 2, 1, USAGE);
    String master = args.string("master", "local[" + workers + "]");
    int limit = args.integer("limit", 0, 0, USAGE);
    int warmup = args.integer("warmup-epochs", 1, 0, USAGE);
    int timed = args.integer("timed-epochs", 3, 1, USAGE);
    int batch = args.integer("batch", 32, 1, USAGE);
    long seed = args.longValue("seed", 42, USAGE);
    int threads = args.integer("threads-per-worker", 0, 0, USAGE);
    String sync = args.string("sync", "auto");

    Path tmp = Files.createTempDirectory("spine-sparktrain");
    try {
      Path trainImages;
      Path trainLabels;
      if (limit > 0) {
        Path[] cut = Mnist.truncatedTrainCopy(mnist, limit, Files.createDirectory(
            tmp.resolve("data")));
        trainImages = cut[0];
        trainLabels = cut[1];
      } else {
        trainImages = Mnist.file(mnist, Mnist.TRAIN_IMAGES);
        trainLabels = Mnist.file(mnist, Mnist.TRAIN_LABELS);
      }
      String yaml = specYaml(trainImages, trainLabels, Mnist.file(mnist, Mnist.TEST_IMAGES),
          Mnist.file(mnist, Mnist.TEST_LABELS), warmup + timed, batch, workers, h, seed,
          threads, sync, tmp.resolve("run"));
      BenchJson.log(WHO, "job spec:\n" + yaml);
      JobSpec spec = JobSpecParser.parse(yaml, null);

      double cpu0 = BenchJson.processCpuSeconds();
      long wall0 = System.nanoTime();
      TrainJob.Result result;
      try (JavaSparkContext sc = SparkSetup.start(master, "spine-bench")) {
        result = TrainJob.run(sc, spec, false);
      }
      double jobWall = (System.nanoTime() - wall0) / 1e9;
      double jobCores = (BenchJson.processCpuSeconds() - cpu0) / jobWall;
      System.out.println(BenchJson.line(report(result, warmup, timed, h, workers, batch, master,
          jobWall, jobCores)));
    } finally {
      deleteRecursively(tmp);
    }
    // A collective run leaves Spark's non-daemon barrier timer in this JVM (local mode).
    System.exit(0);
  }

  static String specYaml(Path trainImages, Path trainLabels, Path testImages, Path testLabels,
      int epochs, int batch, int workers, int h, long seed, int threads, String sync,
      Path outputDir) {
    return String.join("\n",
        "data:",
        "  format: idx",
        "  uri: " + quote(trainImages),
        "  labelsUri: " + quote(trainLabels),
        "  testUri: " + quote(testImages),
        "  testLabelsUri: " + quote(testLabels),
        "  numClasses: 10",
        "  split: {train: 1.0, validation: 0.0, test: 0.0}",
        "preprocess:",
        "  badRecords: fail",
        "  normalize: scale",
        "model:",
        "  name: mlp",
        "  hidden: [256, 256]",
        "  activation: relu",
        "  dropout: 0.0",
        "train:",
        "  epochs: " + epochs,
        "  batchSize: " + batch,
        "  workers: " + workers,
        "  averagingFrequency: " + h,
        "  optimizer: {name: adam, learningRate: 0.001}",
        "  averageOptimizerState: true",
        "  seed: " + seed,
        "  threadsPerWorker: " + threads,
        "  sync: " + sync,
        "output:",
        "  dir: " + quote(outputDir),
        "");
  }

  private static String quote(Path p) {
    return "\"" + p.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"")
        + "\"";
  }

  static Map<String, Object> report(TrainJob.Result result, int warmup, int timed, int h,
      int workers, int batch, String master, double jobWall, double jobCores) {
    List<RoundMetrics> history = result.model().history();
    // epoch -> {wallMs, examples, rounds}
    TreeMap<Integer, double[]> perEpoch = new TreeMap<>();
    double timedCompute = 0;
    double timedSync = 0;
    double timedBytes = 0;
    int timedRounds = 0;
    double allRoundsMs = 0;
    for (RoundMetrics r : history) {
      double[] acc = perEpoch.computeIfAbsent(r.epoch(), k -> new double[3]);
      acc[0] += r.wallMs();
      acc[1] += r.examples();
      acc[2] += 1;
      allRoundsMs += r.wallMs();
      if (r.epoch() >= warmup) {
        timedCompute += r.computeMs();
        timedSync += r.syncMs();
        timedBytes += r.bytesMoved();
        timedRounds++;
      }
    }
    List<Double> epochSeconds = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    double seconds = 0;
    double examples = 0;
    long examplesPerEpoch = 0;
    int roundsPerEpoch = 0;
    for (Map.Entry<Integer, double[]> e : perEpoch.entrySet()) {
      if (e.getKey() < warmup) {
        continue;
      }
      double s = e.getValue()[0] / 1000;
      epochSeconds.add(BenchJson.round(s, 3));
      rates.add(e.getValue()[1] / s);
      seconds += s;
      examples += e.getValue()[1];
      examplesPerEpoch = (long) e.getValue()[1];
      roundsPerEpoch = (int) e.getValue()[2];
      BenchJson.log(WHO, String.format(Locale.ROOT, "timed epoch %d: %.2f s (%.0f ex/s)",
          e.getKey() + 1, s, e.getValue()[1] / s));
    }
    if (epochSeconds.size() != timed) {
      throw new IllegalStateException("expected " + timed + " timed epochs in the round history, "
          + "found " + epochSeconds.size());
    }
    Double accuracy = result.test().scalars().get("accuracy");
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("system", "sparktrain");
    json.put("averagingFrequency", h);
    json.put("workers", workers);
    json.put("master", master);
    json.put("batchPerWorker", batch);
    json.put("trainExamples", examplesPerEpoch);
    json.put("testExamples", result.test().count());
    json.put("warmupEpochs", warmup);
    json.put("timedEpochs", timed);
    json.put("epochSeconds", epochSeconds);
    json.put("examplesPerSec", BenchJson.round(examples / seconds, 1));
    json.put("medianEpochExamplesPerSec", BenchJson.round(
        BenchJson.median(rates.stream().mapToDouble(Double::doubleValue).toArray()), 1));
    json.put("testAccuracy", accuracy == null ? null : BenchJson.round(accuracy, 4));
    json.put("roundsPerEpoch", roundsPerEpoch);
    json.put("meanRoundMs", BenchJson.round(seconds * 1000 / timedRounds, 3));
    json.put("meanComputeMs", BenchJson.round(timedCompute / timedRounds, 3));
    json.put("meanSyncMs", BenchJson.round(timedSync / timedRounds, 3));
    json.put("meanBytesPerRound", Math.round(timedBytes / timedRounds));
    // Time in TrainingLoop.run outside the rounds (progress reporting, metrics.jsonl), all epochs.
    json.put("betweenRoundsSeconds", BenchJson.round(result.model().trainSeconds()
        - allRoundsMs / 1000, 3));
    json.put("jobWallSeconds", BenchJson.round(jobWall, 2));
    json.put("jobCpuCores", BenchJson.round(jobCores, 2));
    json.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    return json;
  }

  static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      BenchJson.log(WHO, "could not delete " + dir + ": " + e);
    }
  }
}
