package org.sparktrain.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.driver.train.TrainingLoop;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.Task;
import org.sparktrain.worker.train.ThreadLimits;
import org.yaml.snakeyaml.Yaml;

/**
 * Training throughput of one model family under one system, as one JSON line on stdout (run by
 * {@code benchmarks/run-families.sh}, which interleaves repetitions and summarizes):
 * <ul>
 *   <li>{@code single}: plain DL4J {@code fit} in this JVM, no Spark in the timed loop. The
 *       network, minibatches (augmentation and masking included) and batch size are exactly
 *       sparktrain's, built from the same spec and the same prepared data; timed after 20
 *       warm-up steps, the steps sparktrain's two untimed rounds give each worker;
 *   <li>{@code sparktrain}: {@code TrainJob} on local[2] with 2 workers; the rate is the examples
 *       of the rounds after the first two divided by those rounds' wall time.
 * </ul>
 * The spec is the family's example in {@code examples/} with one epoch and smaller data where an
 * epoch of the full set would take minutes: the first {@code --limit} Fashion-MNIST images, the
 * first {@code --files} State of the Union speeches. Language models report tokens/s (blockSize
 * predicted tokens per example), the others examples/s.
 */
public final class FamilyBenchmark {
  private static final String WHO = "families";
  static final String USAGE = "usage: FamilyBenchmark --family resnet|gpt|bert --system "
      + "single|sparktrain [--threads 1] [--steps 30] [--limit 12000] [--files 60]";
  /** As many steps as sparktrain's two untimed rounds give each worker (2 x H = 20). */
  private static final int WARMUP_STEPS = 20;
  private static final int WARMUP_ROUNDS = 2;

  private FamilyBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("family", "system", "threads", "steps",
        "limit", "files"), USAGE);
    String family = args.string("family", null);
    String system = args.string("system", null);
    if (family == null || system == null) {
      BenchArgs.fail("--family and --system are required", USAGE);
    }
    Path tmp = Files.createTempDirectory("family-bench");
    JobSpec spec = spec(family, tmp, args.integer("limit", 12000, 100, USAGE),
        args.integer("files", 60, 2, USAGE));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("family", family);
    out.put("system", system);
    try (JavaSparkContext sc = SparkSetup.start("local[2]", "family-bench")) {
      switch (system) {
        case "single" -> single(sc, spec, args.integer("threads", 1, 1, USAGE),
            args.integer("steps", 30, 1, USAGE), out);
        case "sparktrain" -> sparktrain(sc, spec, out);
        default -> BenchArgs.fail("--system must be single or sparktrain", USAGE);
      }
    }
    System.out.println(BenchJson.line(out));
    // A collective run leaves Spark's non-daemon barrier timer in this JVM (local mode).
    System.exit(0);
  }

  /** Plain DL4J steps over sparktrain's own minibatches, alternating the two shards. */
  private static void single(JavaSparkContext sc, JobSpec spec, int threads, int steps,
      Map<String, Object> out) throws IOException {
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    TrainingLoop loop = new TrainingLoop(sc, spec, data);
    List<ExampleBlock> shards = data.train().collect();
    EpochSchedule schedule = loop.settings().schedule();
    Task task = loop.settings().task();
    Network net = loop.configuration().newNetwork();
    ThreadLimits.apply(threads);
    long examples = 0;
    long start = 0;
    for (int step = 0; step < WARMUP_STEPS + steps; step++) {
      if (step == WARMUP_STEPS) {
        start = System.nanoTime();
        examples = 0;
      }
      ExampleBlock shard = shards.get(step % shards.size());
      int local = (step / shards.size()) % schedule.stepsPerEpoch();
      int[] order = schedule.permutation(0, shard.partition(), shard.rows());
      int from = schedule.batchStart(local);
      int to = schedule.batchEnd(local, shard.rows());
      DataSet batch = task.batch(shard, order, from, to,
          local / spec.train().averagingFrequency());
      net.fit(batch);
      examples += to - from;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out.put("threads", threads);
    report(spec, examples, seconds, out);
  }

  private static void sparktrain(JavaSparkContext sc, JobSpec spec, Map<String, Object> out)
      throws IOException {
    TrainJob.Result result = TrainJob.run(sc, spec, false);
    List<RoundMetrics> rounds = result.model().history();
    if (rounds.size() <= WARMUP_ROUNDS) {
      throw new IllegalStateException("only " + rounds.size() + " rounds: use more data");
    }
    long examples = 0;
    double ms = 0;
    for (RoundMetrics r : rounds.subList(WARMUP_ROUNDS, rounds.size())) {
      examples += r.examples();
      ms += r.wallMs();
    }
    out.put("threads", spec.train().threadsPerWorker());
    out.put("rounds", rounds.size());
    report(spec, examples, ms / 1000, out);
    // The run's own FLOP count (summary.json's flops) at this rate, and its share of the peak.
    Map<?, ?> flops = (Map<?, ?>) result.summary().get("flops");
    if (flops.get("trainingFlopsPerExample") instanceof Number perExample) {
      double gflops = examples / (ms / 1000) * perExample.doubleValue() / 1e9;
      out.put("gflopsPerSec", BenchJson.round(gflops, 2));
      if (flops.get("peakGflopsPerSec") instanceof Number peak) {
        out.put("utilization", BenchJson.round(gflops / peak.doubleValue(), 4));
      }
    }
  }

  /** A language model's example is a block whose blockSize next tokens are all predicted. */
  private static void report(JobSpec spec, long examples, double seconds,
      Map<String, Object> out) {
    int perExample = spec.model().kind().languageModel()
        ? ((TransformerConfig) spec.model()).blockSize() : 1;
    out.put("unit", perExample > 1 ? "tokens/s" : "examples/s");
    out.put("examples", examples);
    out.put("seconds", BenchJson.round(seconds, 3));
    out.put("perSec", BenchJson.round((double) examples * perExample / seconds, 1));
  }

  /** The family's example spec, shortened to one epoch on benchmark-sized data. */
  @SuppressWarnings("unchecked")
  static JobSpec spec(String family, Path tmp, int limit, int files) throws IOException {
    Path examples = Path.of("examples").toAbsolutePath();
    String file = switch (family) {
      case "resnet" -> "resnet-fashion.yaml";
      case "gpt" -> "gpt-moby-dick.yaml";
      case "bert" -> "bert-sotu.yaml";
      default -> throw new IllegalArgumentException("--family must be resnet, gpt or bert");
    };
    Map<String, Object> tree;
    try (InputStream in = Files.newInputStream(examples.resolve(file))) {
      tree = new Yaml().load(in);
    }
    Map<String, Object> data = (Map<String, Object>) tree.get("data");
    if (family.equals("resnet")) {
      Path dir = examples.resolve((String) data.get("uri")).getParent().normalize();
      Path[] cut = Mnist.truncatedTrainCopy(dir, limit, Files.createDirectory(
          tmp.resolve("fashion")));
      data.put("uri", cut[0].toString());
      data.put("labelsUri", cut[1].toString());
      data.remove("testUri");
      data.remove("testLabelsUri");
    }
    if (family.equals("bert")) {
      Path corpus = examples.resolve((String) data.get("uri")).normalize();
      Path subset = Files.createDirectory(tmp.resolve("sotu"));
      List<Path> speeches;
      try (Stream<Path> all = Files.list(corpus)) {
        speeches = new ArrayList<>(all.sorted().limit(files).toList());
      }
      for (Path p : speeches) {
        Files.copy(p, subset.resolve(p.getFileName()));
      }
      data.put("uri", subset.toString());
    }
    ((Map<String, Object>) tree.get("train")).put("epochs", 1);
    tree.put("eval", new LinkedHashMap<>(Map.of("validateEveryRounds", 0)));
    tree.remove("checkpoint");
    tree.put("output", new LinkedHashMap<>(Map.of("dir", tmp.resolve("run").toString())));
    BenchJson.log(WHO, "spec for " + family + ": " + tree);
    return JobSpecParser.parseTree(tree, examples);
  }
}
