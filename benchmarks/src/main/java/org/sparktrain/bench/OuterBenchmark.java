package org.sparktrain.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.cluster.SparkSetup;

/**
 * Synchronizing less often with an outer optimizer (issue 10, DiLoCo): the same number of
 * examples at H=5 with plain averaging against larger H with {@code train.outer: nesterov}.
 * Reports the quality reached (P1: MNIST test accuracy; gpt: validation loss per character),
 * the number of synchronizations and the bytes moved. All runs in one JVM on local[W], W
 * workers (--workers, default 2), collective synchronization; quality, not speed, is the point
 * here.
 *
 * <p>A configuration is {@code H} (plain averaging), {@code H:n} (outer Nesterov, with the
 * outer learning rate and momentum from --outer-lr and --outer-momentum), and either with
 * {@code :b} ({@code train.syncPrecision: bfloat16}), e.g. {@code 5,5:b,50,50:n}.
 *
 * <pre>benchmarks/run-outer.sh --mnist DIR [--epochs 3] [--configs 5,50,50:n,100:n]
 *     [--text moby-dick.txt.gz --text-epochs 2 --text-configs 5,50,50:n]</pre>
 */
public final class OuterBenchmark {
  static final String USAGE = "usage: OuterBenchmark [--mnist DIR] [--limit 0] [--epochs 3] "
      + "[--configs 5,50,50:n,100:n] [--text FILE] [--text-epochs 2] [--text-configs 5,50,50:n] "
      + "[--outer-lr 0.7] [--outer-momentum 0.9] [--seed 42] [--workers 2]";

  private OuterBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("mnist", "limit", "epochs", "configs", "text",
        "text-epochs", "text-configs", "outer-lr", "outer-momentum", "seed", "workers"), USAGE);
    // DiLoCo's gains grow with the number of replicas; on 2 cores more than 2 workers share them.
    int workers = args.integer("workers", 2, 1, USAGE);
    double outerLr = Double.parseDouble(args.string("outer-lr", "0.7"));
    double outerMomentum = Double.parseDouble(args.string("outer-momentum", "0.9"));
    long seed = args.longValue("seed", 42, USAGE);
    Path tmp = Files.createTempDirectory("outer-bench");
    List<Map<String, Object>> rows = new ArrayList<>();
    try (JavaSparkContext sc = SparkSetup.start("local[" + workers + "]", "outer-bench")) {
      if (args.has("mnist")) {
        Path mnist = Path.of(args.string("mnist", null)).toAbsolutePath();
        int limit = args.integer("limit", 0, 0, USAGE);
        Path images = Mnist.file(mnist, Mnist.TRAIN_IMAGES);
        Path labels = Mnist.file(mnist, Mnist.TRAIN_LABELS);
        if (limit > 0) {
          Path[] cut = Mnist.truncatedTrainCopy(mnist, limit,
              Files.createDirectory(tmp.resolve("mnist")));
          images = cut[0];
          labels = cut[1];
        }
        int epochs = args.integer("epochs", 3, 1, USAGE);
        for (String c : args.string("configs", "5,50,50:n,100:n").split(",")) {
          Config config = Config.parse(c.trim());
          String yaml = """
              data: {format: idx, uri: '%s', labelsUri: '%s', testUri: '%s',
                     testLabelsUri: '%s', numClasses: 10,
                     split: {train: 1.0, validation: 0.0, test: 0.0}}
              preprocess: {normalize: scale}
              model: {name: mlp, hidden: [256, 256]}
              train: {epochs: %d, batchSize: 32, workers: %d, averagingFrequency: %d, seed: %d,
                      optimizer: {name: adam, learningRate: 0.001}, sync: collective,
                      outer: %s, syncPrecision: %s}
              checkpoint: {everyEpoch: false}
              output: {dir: '%s'}
              """.formatted(images, labels, Mnist.file(mnist, Mnist.TEST_IMAGES),
              Mnist.file(mnist, Mnist.TEST_LABELS), epochs, workers, config.h(), seed,
              config.outerYaml(outerLr, outerMomentum), config.precision(), tmp.resolve("p1-" + c.replace(':', '-')));
          rows.add(run(sc, "P1 MNIST MLP", config, yaml, epochs, workers));
        }
      }
      if (args.has("text")) {
        Path text = Path.of(args.string("text", null)).toAbsolutePath();
        int epochs = args.integer("text-epochs", 2, 1, USAGE);
        for (String c : args.string("text-configs", "5,50,50:n").split(",")) {
          Config config = Config.parse(c.trim());
          // examples/gpt-moby-dick.yaml's model and optimizer.
          String yaml = """
              data: {uri: '%s', format: text, tokenizer: char, documents: paragraph,
                     split: {train: 0.9, validation: 0.1}}
              model: {name: gpt, blockSize: 64, layers: 2, width: 64, heads: 4}
              train: {epochs: %d, batchSize: 32, workers: %d, averagingFrequency: %d, seed: %d,
                      optimizer: {name: adam, learningRate: 0.003}, sync: collective,
                      outer: %s, syncPrecision: %s}
              checkpoint: {everyEpoch: false}
              output: {dir: '%s'}
              """.formatted(text, epochs, workers, config.h(), seed,
              config.outerYaml(outerLr, outerMomentum), config.precision(),
              tmp.resolve("gpt-" + c.replace(':', '-')));
          rows.add(run(sc, "gpt Moby Dick (char)", config, yaml, epochs, workers));
        }
      }
    } finally {
      SparktrainRunner.deleteRecursively(tmp);
    }
    System.out.println("| workload | H | outer | sync precision | epochs | syncs | bytes moved "
        + "| quality | train s |");
    System.out.println("|---|---:|---|---|---:|---:|---:|---|---:|");
    for (Map<String, Object> r : rows) {
      System.out.println(String.format(Locale.ROOT,
          "| %s | %d | %s | %s | %d | %,d | %,d | %s | %.0f |", r.get("workload"), r.get("h"),
          r.get("outer"), r.get("precision"), r.get("epochs"), r.get("syncs"),
          r.get("bytesMoved"), r.get("quality"), (Double) r.get("trainSeconds")));
    }
    System.out.println(BenchJson.line(rows));
    // A collective run leaves Spark's non-daemon barrier timer in this JVM (local mode).
    System.exit(0);
  }

  private static Map<String, Object> run(JavaSparkContext sc, String workload, Config config,
      String yaml, int epochs, int workers) throws Exception {
    BenchJson.log("outer", workload + " " + config);
    TrainJob.Result result = TrainJob.run(sc, JobSpecParser.parse(yaml, null), false);
    List<RoundMetrics> history = result.model().history();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("workload", workload);
    row.put("h", config.h());
    row.put("outer", config.outer() ? "nesterov" : "none");
    row.put("precision", config.precision());
    row.put("epochs", epochs);
    row.put("workers", workers);
    row.put("syncs", history.size());
    row.put("bytesMoved", history.stream().mapToLong(RoundMetrics::bytesMoved).sum());
    Double accuracy = result.test().count() > 0 ? result.test().scalars().get("accuracy") : null;
    Map<String, Double> validation = null;
    for (RoundMetrics m : history) {
      if (m.validation() != null) {
        validation = m.validation();
      }
    }
    row.put("quality", accuracy != null
        ? String.format(Locale.ROOT, "test accuracy %.4f", accuracy)
        : String.format(Locale.ROOT, "validation loss %.4f", validation.get("loss")));
    row.put("trainSeconds", result.model().trainSeconds());
    BenchJson.log("outer", String.valueOf(row));
    return row;
  }

  /** {@code H}, then optionally {@code :n} (outer Nesterov) and {@code :b} (bfloat16). */
  record Config(int h, boolean outer, boolean bfloat16) {
    static Config parse(String s) {
      String[] parts = s.split(":");
      boolean outer = false;
      boolean bfloat16 = false;
      for (int i = 1; i < parts.length; i++) {
        switch (parts[i]) {
          case "n" -> outer = true;
          case "b" -> bfloat16 = true;
          default -> BenchArgs.fail("bad configuration '" + s + "' (H[:n][:b])", USAGE);
        }
      }
      return new Config(Integer.parseInt(parts[0]), outer, bfloat16);
    }

    String outerYaml(double lr, double momentum) {
      return outer ? "{name: nesterov, learningRate: " + lr + ", momentum: " + momentum + "}"
          : "{name: none}";
    }

    String precision() {
      return bfloat16 ? "bfloat16" : "float32";
    }
  }
}
