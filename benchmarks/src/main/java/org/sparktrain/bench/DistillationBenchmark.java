package org.sparktrain.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;

/**
 * Knowledge distillation against training on labels alone (issue 12): a teacher MLP is trained
 * once; then, for each seed, the same small student is trained on the labels alone and distilled
 * from the teacher (same spec, same epochs, same seed), and both are scored on held-out rows.
 * Digits: every sixth row held out (300 rows). Fashion-MNIST (optional, {@code --fashion-rows}):
 * a truncated training set, scored on the 10,000 test images.
 */
public final class DistillationBenchmark {
  private static final String USAGE = "DistillationBenchmark --data SHARED_DATA_DIR "
      + "[--seeds 5] [--fashion-rows 0] [--temperature 4] [--alpha 0.7] "
      + "[--digits-student [128, 32]] [--fashion-student [160, 64]]";
  private static final Configuration CONF = new Configuration();

  private DistillationBenchmark() {}

  /** One dataset's setting: the teacher's and the student's hidden layers, epochs, batch. */
  private record Setting(String name, String dataYaml, String preprocessYaml, String teacher,
      String student, int epochs, double learningRate, EvaluateJob.DataOptions test) {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("data", "seeds", "fashion-rows",
        "temperature", "alpha", "digits-student", "fashion-student"), USAGE);
    if (!args.has("data")) {
      BenchArgs.fail("--data is required", USAGE);
    }
    Path data = Path.of(args.string("data", null));
    int seeds = args.integer("seeds", 5, 1, USAGE);
    int fashionRows = args.integer("fashion-rows", 0, 0, USAGE);
    double temperature = Double.parseDouble(args.string("temperature", "4"));
    double alpha = Double.parseDouble(args.string("alpha", "0.7"));
    Path work = Files.createTempDirectory("distillation-bench");
    try (JavaSparkContext sc = SparkSetup.start("local[2]", "distillation-benchmark")) {
      System.out.println("| data | teacher params | teacher accuracy | student params "
          + "(ratio) | labels alone: median accuracy | distilled: median | change, points "
          + "| per seed (alone / distilled) |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      run(sc, digits(data, work, args.string("digits-student", "[128, 32]")), work, seeds,
          temperature, alpha);
      if (fashionRows > 0) {
        run(sc, fashion(data, work, fashionRows, args.string("fashion-student", "[160, 64]")),
            work, seeds, temperature, alpha);
      }
    }
    // Spark's barrier timer thread is not a daemon: without this the JVM outlives main.
    System.exit(0);
  }

  /** @param student the student's hidden layers (the default has 0.25x the teacher's size) */
  private static Setting digits(Path data, Path work, String student) throws IOException {
    DigitsSplit split = DigitsSplit.write(data, work);
    Path train = split.train();
    Path test = split.test();
    return new Setting("digits", "{uri: '" + train + "', numClasses: 10, "
        + "split: {train: 0.95, validation: 0.05, test: 0}}", "",
        "[256, 128]", student, 20, 0.003, new EvaluateJob.DataOptions(
            test.toUri().toString(), JobSpec.Format.CSV, null, -1, false, 2));
  }

  private static Setting fashion(Path data, Path work, int rows, String student)
      throws IOException {
    Path fashion = data.resolve("fashion-mnist");
    Path[] idx = Mnist.truncatedTrainCopy(fashion, rows,
        Files.createDirectories(work.resolve("fashion-idx")));
    return new Setting("Fashion-MNIST (" + rows + " training images)", "{uri: '" + idx[0]
        + "', labelsUri: '" + idx[1] + "', format: idx, numClasses: 10, "
        + "split: {train: 0.98, validation: 0.02, test: 0}}", "{normalize: scale}",
        "[512, 256]", student, 5, 0.001, new EvaluateJob.DataOptions(
            Mnist.file(fashion, Mnist.TEST_IMAGES).toUri().toString(), JobSpec.Format.IDX,
            Mnist.file(fashion, Mnist.TEST_LABELS).toUri().toString(), -1, false, 2));
  }

  private static String spec(Setting s, String hidden, String teacher, String distillation,
      long seed, Path out) {
    return "data: " + s.dataYaml() + "\n"
        + (s.preprocessYaml().isEmpty() ? "" : "preprocess: " + s.preprocessYaml() + "\n")
        + "model: {name: mlp, hidden: " + hidden
        + (teacher == null ? "" : ", teacher: '" + teacher + "'") + "}\n"
        + "train: {epochs: " + s.epochs() + ", batchSize: 32, workers: 2, averagingFrequency: 5,"
        + " optimizer: {name: adam, learningRate: " + s.learningRate() + "}, seed: " + seed
        + distillation + "}\n"
        + "output: {dir: '" + out + "'}\n";
  }

  private static void run(JavaSparkContext sc, Setting s, Path work, int seeds,
      double temperature, double alpha) throws IOException {
    Path teacherRun = work.resolve(s.name().replaceAll("\\W", "") + "-teacher");
    TrainJob.run(sc, JobSpecParser.parse(spec(s, s.teacher(), null, "", 42, teacherRun), null),
        false);
    String teacher = teacherRun.resolve("model").toString();
    double teacherAccuracy = accuracy(sc, teacher, s);
    long teacherParams = params(teacher);
    double[] alone = new double[seeds];
    double[] distilled = new double[seeds];
    long studentParams = 0;
    StringBuilder perSeed = new StringBuilder();
    String distillation = ", distillation: {temperature: " + temperature + ", alpha: " + alpha
        + "}";
    for (int i = 0; i < seeds; i++) {
      long seed = 100 + i;
      Path a = work.resolve(s.name().replaceAll("\\W", "") + "-alone-" + seed);
      Path d = work.resolve(s.name().replaceAll("\\W", "") + "-distilled-" + seed);
      TrainJob.run(sc, JobSpecParser.parse(spec(s, s.student(), null, "", seed, a), null), false);
      TrainJob.run(sc, JobSpecParser.parse(spec(s, s.student(), teacher, distillation, seed, d),
          null), false);
      alone[i] = accuracy(sc, a.resolve("model").toString(), s);
      distilled[i] = accuracy(sc, d.resolve("model").toString(), s);
      studentParams = params(a.resolve("model").toString());
      perSeed.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f / %.3f",
          alone[i], distilled[i]));
      System.err.printf(Locale.ROOT, "%s seed %d: alone %.4f distilled %.4f%n", s.name(), seed,
          alone[i], distilled[i]);
    }
    System.out.printf(Locale.ROOT, "| %s | %,d | %.3f | %,d (%.2fx) | %.3f | %.3f | %+.1f | %s |%n",
        s.name(), teacherParams, teacherAccuracy, studentParams,
        (double) studentParams / teacherParams, median(alone), median(distilled),
        100 * (median(distilled) - median(alone)), perSeed);
  }

  private static double accuracy(JavaSparkContext sc, String model, Setting s)
      throws IOException {
    return ((Number) EvaluateJob.run(sc, model, s.test()).get("accuracy")).doubleValue();
  }

  private static long params(String model) throws IOException {
    return ModelBundle.load(model, CONF).network().params().length();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
