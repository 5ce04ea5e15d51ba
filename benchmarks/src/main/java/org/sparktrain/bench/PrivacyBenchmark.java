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
import org.sparktrain.driver.privacy.MembershipAudit;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;

/**
 * Private MNIST (issue 25): the same model and schedule trained without privacy and with
 * DP-SGD at several target epsilons (delta 1e-5), in one JVM on local[W] with the collective
 * strategy. Reports test accuracy, the epsilon spent, the noise chosen, wall and training time
 * and examples/s; the private/non-private throughput ratio is taken from runs in the same JVM.
 *
 * <p>The last {@code --held-out} of MNIST's 60,000 training images are kept out of training; each
 * model is then audited ({@link MembershipAudit}, the loss-threshold attack): its first
 * {@code --audit-rows} training images as members against as many held-out ones. Not the test
 * set: MNIST's test images come from other writers, and a loss gap between two distributions
 * would look like membership to the attack.
 *
 * <p>A configuration is {@code none} (no privacy) or a target epsilon, e.g.
 * {@code none,1,3,8}. Pixels are divided by 255 (a bound known without the data), in every
 * configuration, so the comparison changes only the privacy.
 *
 * <pre>benchmarks/run-privacy.sh --mnist DIR [--configs none,3] [--epochs 15] [--batch 256]
 *     [--hidden 256] [--lr 0.001] [--clip 1.0] [--limit 0] [--workers 2]</pre>
 */
public final class PrivacyBenchmark {
  static final String USAGE = "usage: PrivacyBenchmark --mnist DIR [--configs none,3] "
      + "[--epochs 15] [--batch 256] [--hidden 256] [--lr 0.001] [--clip 1.0] [--limit 0] "
      + "[--workers 2] [--seed 42] [--h 4] [--audit-rows 5000] [--held-out 10000] "
      + "[--activation relu]";

  private PrivacyBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("mnist", "configs", "epochs", "batch",
        "hidden", "lr", "clip", "limit", "workers", "seed", "h", "audit-rows", "held-out",
        "activation"), USAGE);
    // Bounded activations suit DP-SGD (Papernot et al. 2021, "Tempered Sigmoid Activations").
    String activation = args.string("activation", "relu");
    int heldOutRows = args.integer("held-out", 10_000, MembershipAudit.MIN_ROWS, USAGE);
    int auditRows = args.integer("audit-rows", 5000, MembershipAudit.MIN_ROWS, USAGE);
    Path mnist = Path.of(args.string("mnist", null)).toAbsolutePath();
    int epochs = args.integer("epochs", 15, 1, USAGE);
    int batch = args.integer("batch", 256, 1, USAGE);
    // Hidden layer sizes, comma-separated: 256 or 256,256 (P1's shape).
    String hidden = args.string("hidden", "256");
    int workers = args.integer("workers", 2, 1, USAGE);
    int h = args.integer("h", 4, 1, USAGE);
    int limit = args.integer("limit", 0, 0, USAGE);
    long seed = args.longValue("seed", 42, USAGE);
    String lr = args.string("lr", "0.001");
    String clip = args.string("clip", "1.0");
    Path tmp = Files.createTempDirectory("privacy-bench");
    List<Map<String, Object>> rows = new ArrayList<>();
    try (JavaSparkContext sc = SparkSetup.start("local[" + workers + "]", "privacy-bench")) {
      int trainRows = (limit > 0 ? Math.min(limit, 60_000) : 60_000) - heldOutRows;
      if (trainRows < 1) {
        BenchArgs.fail("--held-out " + heldOutRows + " leaves no training rows", USAGE);
      }
      Path[] train = Mnist.trainSliceCopy(mnist, 0, trainRows,
          Files.createDirectory(tmp.resolve("train")));
      Path[] heldOut = Mnist.trainSliceCopy(mnist, trainRows, trainRows + heldOutRows,
          Files.createDirectory(tmp.resolve("held-out")));
      Path images = train[0];
      Path labels = train[1];
      String[] configs = args.string("configs", "none,3").split(",");
      for (int i = 0; i < configs.length; i++) {
        String config = configs[i].trim();
        // Its own folder per run: a repeated configuration trains again, not resumes.
        Path runDir = tmp.resolve("run-" + i + "-" + config);
        String privacy = config.equals("none") ? ""
            : ", privacy: {targetEpsilon: " + Double.parseDouble(config) + ", delta: 1.0e-5, "
                + "clipNorm: " + clip + "}";
        String yaml = """
            data: {format: idx, uri: '%s', labelsUri: '%s', testUri: '%s',
                   testLabelsUri: '%s', numClasses: 10,
                   split: {train: 1.0, validation: 0.0, test: 0.0}}
            preprocess: {normalize: none, scaleBy: 255}
            model: {name: mlp, hidden: [%s], activation: %s}
            train: {epochs: %d, batchSize: %d, workers: %d, averagingFrequency: %d, seed: %d,
                    optimizer: {name: adam, learningRate: %s}, sync: collective%s}
            checkpoint: {everyEpoch: false}
            output: {dir: '%s'}
            """.formatted(images, labels, Mnist.file(mnist, Mnist.TEST_IMAGES),
            Mnist.file(mnist, Mnist.TEST_LABELS), hidden, activation, epochs, batch, workers, h,
            seed, lr, privacy, runDir);
        Map<String, Object> row = run(sc, config, yaml);
        MembershipAudit.Options audit = new MembershipAudit.Options(
            new EvaluateJob.DataOptions(images.toString(), JobSpec.Format.IDX,
                labels.toString(), -1, false, workers),
            new EvaluateJob.DataOptions(heldOut[0].toString(), JobSpec.Format.IDX,
                heldOut[1].toString(), -1, false, workers), auditRows, 200, 1);
        Map<String, Object> report = MembershipAudit.run(sc,
            runDir.resolve("model").toUri().toString(), audit,
            runDir.resolve("audit").toUri().toString());
        row.put("auditAuc", report.get("auc"));
        row.put("auditAucCi", report.get("aucCi"));
        row.put("auditEpsilonLowerBound", ((Map<?, ?>) report.get("epsilonLowerBound"))
            .get("epsilon"));
        BenchJson.log("privacy", "audit " + config + ": AUC " + report.get("auc") + " "
            + report.get("aucCi") + ", epsilon lower bound "
            + row.get("auditEpsilonLowerBound"));
        rows.add(row);
      }
    } finally {
      SparktrainRunner.deleteRecursively(tmp);
    }
    double baseline = rows.stream().filter(r -> r.get("config").equals("none"))
        .mapToDouble(r -> (Double) r.get("examplesPerSecond")).findFirst().orElse(Double.NaN);
    System.out.println("| config | epsilon (delta 1e-5) | noise | test accuracy | epochs | "
        + "train s | wall s | ex/s | ex/s vs none | audit AUC (95% CI) | audit epsilon lower "
        + "bound |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for (Map<String, Object> r : rows) {
      System.out.println(String.format(Locale.ROOT,
          "| %s | %s | %s | %.4f | %d | %.0f | %.0f | %.0f | %.2fx | %.3f %s | %.2f |",
          r.get("config"), r.get("epsilon"), r.get("noise"), (Double) r.get("accuracy"), epochs,
          (Double) r.get("trainSeconds"), (Double) r.get("wallSeconds"),
          (Double) r.get("examplesPerSecond"), (Double) r.get("examplesPerSecond") / baseline,
          ((Number) r.get("auditAuc")).doubleValue(), r.get("auditAucCi"),
          ((Number) r.get("auditEpsilonLowerBound")).doubleValue()));
    }
    System.out.println(BenchJson.line(rows));
    // A collective run leaves Spark's non-daemon barrier timer in this JVM (local mode).
    System.exit(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> run(JavaSparkContext sc, String config, String yaml)
      throws Exception {
    BenchJson.log("privacy", "config " + config);
    long start = System.nanoTime();
    TrainJob.Result result = TrainJob.run(sc, JobSpecParser.parse(yaml, null), false);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("config", config);
    Map<String, Object> privacy = (Map<String, Object>) result.summary().get("privacy");
    row.put("epsilon", privacy == null ? "-" : String.format(Locale.ROOT, "%.3f",
        (Double) privacy.get("epsilon")));
    row.put("noise", privacy == null ? "-" : String.format(Locale.ROOT, "%.3f",
        (Double) privacy.get("noiseMultiplier")));
    row.put("accuracy", result.test().scalars().get("accuracy"));
    row.put("trainSeconds", result.model().trainSeconds());
    row.put("wallSeconds", (System.nanoTime() - start) / 1e9);
    long examples = result.model().history().stream().mapToLong(m -> m.examples()).sum();
    row.put("examplesPerSecond", examples / result.model().trainSeconds());
    BenchJson.log("privacy", String.valueOf(row));
    return row;
  }
}
