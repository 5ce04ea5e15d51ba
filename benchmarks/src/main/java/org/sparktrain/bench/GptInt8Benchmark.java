package org.sparktrain.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.compress.CompressJob;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.TextScores;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.text.Tokenizer;

/**
 * int8 quantization of the character gpt (issue 12): trains {@code examples/gpt-moby-dick.yaml}'s
 * model on Moby Dick without every tenth paragraph, quantizes it with {@code compress --method
 * int8}, and scores both models on the held-out paragraphs: nats per character, as the
 * validation loss counts them.
 */
public final class GptInt8Benchmark {
  private static final String USAGE = "GptInt8Benchmark --data SHARED_DATA_DIR [--epochs 2]";
  private static final int BLOCK = 64;

  private GptInt8Benchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("data", "epochs"), USAGE);
    if (!args.has("data")) {
      BenchArgs.fail("--data is required", USAGE);
    }
    Path data = Path.of(args.string("data", null));
    int epochs = args.integer("epochs", 2, 1, USAGE);
    Path work = Files.createTempDirectory("gpt-int8-bench");
    String book;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(
        data.resolve("text/moby-dick.txt.gz")))) {
      book = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> train = new ArrayList<>();
    List<String> heldOut = new ArrayList<>();
    String[] paragraphs = book.split("\\n\\s*\\n");
    for (int i = 0; i < paragraphs.length; i++) {
      (i % 10 == 9 ? heldOut : train).add(paragraphs[i]);
    }
    Path text = Files.writeString(work.resolve("train.txt"), String.join("\n\n", train));
    Path run = work.resolve("run");
    try (JavaSparkContext sc = SparkSetup.start("local[2]", "gpt-int8-benchmark")) {
      TrainJob.run(sc, JobSpecParser.parse("data: {uri: '" + text + "', format: text, "
          + "tokenizer: char, documents: paragraph, split: {train: 0.95, validation: 0.05}}\n"
          + "model: {name: gpt, blockSize: " + BLOCK + ", layers: 2, width: 64, heads: 4}\n"
          + "train: {epochs: " + epochs + ", batchSize: 32, workers: 2, averagingFrequency: 10,"
          + " optimizer: {name: adam, learningRate: 0.003}, seed: 42}\n"
          + "output: {dir: '" + run + "'}\n", null), false);
    }
    Configuration conf = new Configuration();
    CompressJob.Evaluation onHeldOut = uri -> {
      ModelBundle bundle = ModelBundle.load(uri, conf);
      Tokenizer tokenizer = Tokenizer.fromJson(bundle.tokenizerJson());
      long tokens = 0;
      double logLikelihood = 0;
      for (TextScores.Likelihood l : TextScores.likelihoods(bundle.network(), tokenizer, BLOCK,
          heldOut)) {
        tokens += l.tokens();
        logLikelihood += l.logLikelihood();
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("loss", -logLikelihood / tokens);
      m.put("tokens", (double) tokens);
      return m;
    };
    Map<String, Object> s = CompressJob.run(run.resolve("model").toString(),
        work.resolve("int8").toUri().toString(),
        new CompressJob.Options(CompressJob.Method.INT8, 0, false), onHeldOut, conf);
    Map<?, ?> size = (Map<?, ?>) s.get("size");
    Map<?, ?> before = (Map<?, ?>) s.get("before");
    Map<?, ?> after = (Map<?, ?>) s.get("after");
    System.out.println("| model | method | size after / model.zip | after / float params "
        + "| held-out nats/char before | after | change | held-out characters |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    System.out.printf(Locale.ROOT, "| char gpt (2 layers, width 64, %d epochs, %,d params) | int8 "
        + "| %.3fx | %.3fx | %.4f | %.4f | %+.4f | %,.0f |%n", epochs, s.get("parameters"),
        (Double) size.get("ratio"), (Double) size.get("ratioToFloatParameters"),
        (Double) before.get("loss"), (Double) after.get("loss"),
        (Double) after.get("loss") - (Double) before.get("loss"), (Double) before.get("tokens"));
    // Spark's barrier timer thread is not a daemon: without this the JVM outlives main.
    System.exit(0);
  }
}
