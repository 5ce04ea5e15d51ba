package org.sparktrain.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.compress.CompressJob;
import org.sparktrain.driver.explain.ExplainData;
import org.sparktrain.driver.explain.PermutationImportance;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.ParsedRecord;

/**
 * Issue #12's measurements, in one local[2] Spark:
 *
 * <ol>
 *   <li>Compression of the digits MLP and of a short Fashion-MNIST resnet: size on disk
 *       against the trained model.zip and against the float parameters alone, test accuracy
 *       before and after, inference rows/s before and after; int8 and pruning at 50% and 80%
 *       (global, and per layer), without fine-tuning.
 *   <li>The cost of permutation importance on a 30-column table of 400 rows and on MNIST
 *       (784 columns): on the executors (2 tasks) against one JVM, medians of interleaved
 *       repetitions, beside the limit of 2 cores (2.0x).
 * </ol>
 */
public final class ModelToolsBenchmark {
  private static final String USAGE = "ModelToolsBenchmark --data SHARED_DATA_DIR [--reps 3] "
      + "[--fashion-rows 12000] [--fine-tune-only true]";

  /** Only the pruning rows with fine-tuning (the others are in RESULTS.md already). */
  private static boolean fineTuneOnly;

  private ModelToolsBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("data", "reps", "fashion-rows", "fine-tune-only"), USAGE);
    if (!args.has("data")) {
      BenchArgs.fail("--data is required", USAGE);
    }
    Path data = Path.of(args.string("data", null));
    int reps = args.integer("reps", 3, 1, USAGE);
    int fashionRows = args.integer("fashion-rows", 12_000, 1000, USAGE);
    fineTuneOnly = Boolean.parseBoolean(args.string("fine-tune-only", "false"));
    Path work = Files.createTempDirectory("model-tools-bench");
    try (JavaSparkContext sc = SparkSetup.start("local[2]", "model-tools-benchmark")) {
      System.out.println("| model | method | size after / model.zip | after / float params "
          + "| accuracy before | after | change | rows/s before | after |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      compressDigits(sc, data, work);
      compressFashion(sc, data, work, fashionRows);
      if (fineTuneOnly) {
        return;
      }
      System.out.println();
      System.out.println("| permutation importance | rows x columns x repeats | one JVM s "
          + "| executors (2 tasks) s | speed-up | limit |");
      System.out.println("|---|---|---|---|---|---|");
      explainTable(sc, work, reps);
      explainMnist(sc, data, work, reps);
    }
  }

  private static void compressDigits(JavaSparkContext sc, Path data, Path work)
      throws IOException {
    DigitsSplit split = DigitsSplit.write(data, work);
    Path train = split.train();
    Path test = split.test();
    Path run = work.resolve("digits-run");
    String spec = "data: {uri: '" + train + "', numClasses: 10, "
        + "split: {train: 0.95, validation: 0.05, test: 0}}\n"
        + "model: {name: mlp, hidden: [128, 64]}\n"
        + "train: {epochs: 20, batchSize: 16, workers: 2, averagingFrequency: 5, "
        + "optimizer: {name: adam, learningRate: 0.003}, seed: 42}\n"
        + "output: {dir: '" + run + "'}\n";
    TrainJob.run(sc, JobSpecParser.parse(spec, null), false);
    CompressJob.Evaluation onTest = uri -> EvaluateJob.run(sc, uri, new EvaluateJob.DataOptions(
        test.toUri().toString(), JobSpec.Format.CSV, null, -1, false, 2));
    compressAll(sc, run.resolve("model").toString(), "digits MLP 64-128-64-10", onTest, work,
        spec, 2);
  }

  private static void compressFashion(JavaSparkContext sc, Path data, Path work, int rows)
      throws IOException {
    Path fashion = data.resolve("fashion-mnist");
    Path[] idx = Mnist.truncatedTrainCopy(fashion, rows,
        Files.createDirectories(work.resolve("fashion-idx")));
    Path run = work.resolve("fashion-run");
    String spec = "data: {uri: '" + idx[0] + "', labelsUri: '" + idx[1]
        + "', format: idx, numClasses: 10, "
        + "split: {train: 0.98, validation: 0.02, test: 0}}\n"
        + "preprocess: {normalize: scale}\n"
        + "model: {name: resnet, inputShape: [28, 28, 1], stemWidth: 24, stemStride: 2, "
        + "widths: [24, 48, 96], blocksPerStage: 1}\n"
        + "train: {epochs: 1, batchSize: 64, workers: 2, averagingFrequency: 10, "
        + "optimizer: {name: adam, learningRate: 0.003}, seed: 42}\n"
        + "output: {dir: '" + run + "'}\n";
    TrainJob.run(sc, JobSpecParser.parse(spec, null), false);
    CompressJob.Evaluation onTest = uri -> EvaluateJob.run(sc, uri, new EvaluateJob.DataOptions(
        Mnist.file(fashion, Mnist.TEST_IMAGES).toUri().toString(), JobSpec.Format.IDX,
        Mnist.file(fashion, Mnist.TEST_LABELS).toUri().toString(), -1, false, 2));
    compressAll(sc, run.resolve("model").toString(), "Fashion-MNIST resnet (1 epoch of " + rows
        + " images)", onTest, work, spec, 1);
  }

  /**
   * @param spec the spec the model was trained with, for the fine-tuning rows
   * @param fineTuneEpochs epochs of those
   */
  private static void compressAll(JavaSparkContext sc, String model, String name,
      CompressJob.Evaluation onTest, Path work, String spec, int fineTuneEpochs)
      throws IOException {
    CompressJob.Options[] methods = {
        new CompressJob.Options(CompressJob.Method.INT8, 0, false),
        new CompressJob.Options(CompressJob.Method.PRUNE, 0.5, false),
        new CompressJob.Options(CompressJob.Method.PRUNE, 0.8, false),
        new CompressJob.Options(CompressJob.Method.PRUNE, 0.8, true),
        new CompressJob.Options(CompressJob.Method.PRUNE, 0.5, false),
        new CompressJob.Options(CompressJob.Method.PRUNE, 0.8, false)};
    String tuned = " + fine-tune " + fineTuneEpochs + " epoch" + (fineTuneEpochs > 1 ? "s" : "");
    String[] labels = {"int8", "prune 50% global", "prune 80% global", "prune 80% per layer",
        "prune 50% global" + tuned, "prune 80% global" + tuned};
    for (int m = fineTuneOnly ? 4 : 0; m < methods.length; m++) {
      Path out = work.resolve(name.replaceAll("\\W+", "-") + "-" + m);
      CompressJob.FineTuning fineTuning = m < 4 ? null : pruned -> {
        Path runDir = out.resolve("fine-tune");
        Path specFile = Files.writeString(out.resolveSibling(out.getFileName() + ".yaml"), spec);
        TrainJob.run(sc, JobSpecParser.parseFile(specFile, List.of(
            "train.init={model: '" + pruned + "', keepZeros: true}",
            "train.epochs=" + fineTuneEpochs, "output.dir='" + runDir + "'")), false);
        return runDir.resolve("model").toString();
      };
      Map<String, Object> s = CompressJob.run(model, out.toUri().toString(), methods[m], onTest,
          fineTuning, new Configuration());
      Map<?, ?> size = (Map<?, ?>) s.get("size");
      Map<?, ?> before = (Map<?, ?>) s.get("before");
      Map<?, ?> after = (Map<?, ?>) s.get("after");
      Map<?, ?> speed = (Map<?, ?>) s.get("inferenceRowsPerSec");
      System.out.printf(Locale.ROOT, "| %s | %s | %.3fx | %.3fx | %.4f | %.4f | %+.4f | %,.0f "
          + "| %,.0f |%n", name, labels[m], (Double) size.get("ratio"),
          (Double) size.get("ratioToFloatParameters"), (Double) before.get("accuracy"),
          (Double) after.get("accuracy"),
          (Double) after.get("accuracy") - (Double) before.get("accuracy"),
          (Double) speed.get("before"), (Double) speed.get("after"));
    }
  }

  private static void explainTable(JavaSparkContext sc, Path work, int reps) throws IOException {
    int rows = 400;
    int columns = 30;
    Random random = new Random(5);
    StringBuilder csv = new StringBuilder();
    for (int r = 0; r < rows; r++) {
      double[] x = new double[columns];
      for (int c = 0; c < columns; c++) {
        x[c] = random.nextGaussian();
        csv.append(String.format(Locale.ROOT, "%.5f,", x[c]));
      }
      csv.append(x[0] - x[1] > 0 ? 1 : 0).append('\n');
    }
    Path table = Files.writeString(work.resolve("table30.csv"), csv.toString());
    Path run = work.resolve("table30-run");
    TrainJob.run(sc, JobSpecParser.parse("data: {uri: '" + table + "', numClasses: 2}\n"
        + "model: {name: mlp, hidden: [32]}\n"
        + "train: {epochs: 10, batchSize: 16, workers: 2}\n"
        + "output: {dir: '" + run + "'}\n", null), false);
    ModelBundle bundle = ModelBundle.load(run.resolve("model").toString(), new Configuration());
    List<ParsedRecord> records = new ArrayList<>();
    String[] lines = csv.toString().split("\n");
    for (int r = 0; r < rows; r++) {
      String[] cells = lines[r].split(",");
      float[] x = new float[columns];
      for (int c = 0; c < columns; c++) {
        x[c] = Float.parseFloat(cells[c]);
      }
      records.add(ParsedRecord.ok(0, r, x, Double.parseDouble(cells[columns])));
    }
    time(sc, bundle, ExplainData.of(records, bundle.normalizer(), null), 10, reps,
        "synthetic table, 2 informative columns");
  }

  private static void explainMnist(JavaSparkContext sc, Path data, Path work, int reps)
      throws IOException {
    Path mnist = data.resolve("mnist");
    Path[] idx = Mnist.truncatedTrainCopy(mnist, 10_000,
        Files.createDirectories(work.resolve("mnist-idx")));
    Path run = work.resolve("mnist-run");
    TrainJob.run(sc, JobSpecParser.parse("data: {uri: '" + idx[0] + "', labelsUri: '" + idx[1]
        + "', format: idx, numClasses: 10}\npreprocess: {normalize: scale}\n"
        + "model: {name: mlp, hidden: [128]}\n"
        + "train: {epochs: 2, batchSize: 32, workers: 2}\n"
        + "output: {dir: '" + run + "'}\n", null), false);
    ModelBundle bundle = ModelBundle.load(run.resolve("model").toString(), new Configuration());
    int rows = 1000;
    ExampleBlock test = Mnist.read(mnist, Mnist.TEST_IMAGES, Mnist.TEST_LABELS, rows);
    List<ParsedRecord> records = new ArrayList<>();
    int width = test.features().length / test.rows();
    for (int r = 0; r < test.rows(); r++) {
      // Mnist.read divided by 255 already; the model's normalizer expects raw pixels.
      float[] x = Arrays.copyOfRange(test.features(), r * width, (r + 1) * width);
      for (int i = 0; i < x.length; i++) {
        x[i] *= 255f;
      }
      records.add(ParsedRecord.ok(0, r, x, test.labels()[r]));
    }
    time(sc, bundle, ExplainData.of(records, bundle.normalizer(), null), 2, reps,
        "MNIST test rows, MLP 784-128-10");
  }

  private static void time(JavaSparkContext sc, ModelBundle bundle, ExplainData rows,
      int repeats, int reps, String label) {
    double[] one = new double[reps];
    double[] spread = new double[reps];
    for (int rep = 0; rep < reps; rep++) {
      long start = System.nanoTime();
      PermutationImportance.Result local = PermutationImportance.inOneJvm(bundle.network(),
          true, rows, repeats, 1);
      one[rep] = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      PermutationImportance.Result executors = PermutationImportance.onExecutors(sc,
          bundle.network(), true, rows, repeats, 1, 2);
      spread[rep] = (System.nanoTime() - start) / 1e9;
      if (!Arrays.equals(local.columns().get(0).drops(), executors.columns().get(0).drops())) {
        throw new IllegalStateException("executors and one JVM disagree on " + label);
      }
      System.err.printf(Locale.ROOT, "[explain] %s rep %d: one JVM %.2f s, executors %.2f s%n",
          label, rep + 1, one[rep], spread[rep]);
    }
    double a = median(one);
    double b = median(spread);
    System.out.printf(Locale.ROOT, "| %s | %d x %d x %d | %.2f | %.2f | %.2fx | 2.0x |%n",
        label, rows.rows(), rows.groups().size(), repeats, a, b, a / b);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
