package org.sparktrain.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.cluster.SparkSetup;
import org.yaml.snakeyaml.Yaml;

/**
 * A soak of the validation paths that once crashed the JVM (issue 14): the gpt, bert and
 * bert-classifier examples, one epoch each on smaller data, validating every few rounds, trained
 * again and again in one JVM (local[2], 2 workers) until the time is up. Every repeat must end,
 * and its validation metrics must equal the first repeat's bit for bit: training and validation
 * are deterministic, so any difference means memory was read that should not have been. Prints
 * one line per run and a summary; exits 1 on a difference. A crash ends the JVM.
 *
 * <pre>benchmarks/run-soak.sh [MINUTES]</pre>
 */
public final class ValidationSoak {
  private static final String WHO = "soak";
  static final String USAGE = "usage: ValidationSoak [--minutes 30] [--every 2] "
      + "[--chars 300000] [--files 40] [--work DIR]";

  private ValidationSoak() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("minutes", "every", "chars", "files", "work"),
        USAGE);
    long deadline = System.nanoTime()
        + args.integer("minutes", 30, 1, USAGE) * 60_000_000_000L;
    int every = args.integer("every", 2, 1, USAGE);
    Path work = args.has("work") ? Files.createDirectories(Path.of(args.string("work", null)))
        : Files.createTempDirectory("validation-soak");
    Path examples = Path.of("examples").toAbsolutePath();
    Map<String, Map<String, Object>> specs = new LinkedHashMap<>();
    specs.put("gpt", gpt(examples, work, args.integer("chars", 300_000, 10_000, USAGE)));
    specs.put("bert", bert(examples, work, args.integer("files", 40, 2, USAGE)));
    specs.put("bert-classifier", bertClassifier(examples, work));
    Map<String, List<Map<String, Object>>> firstValidations = new LinkedHashMap<>();
    Map<String, Integer> repeats = new LinkedHashMap<>();
    int differences = 0;
    long validations = 0;
    try (JavaSparkContext sc = SparkSetup.start("local[2]", "validation-soak")) {
      for (int repeat = 1; System.nanoTime() < deadline; repeat++) {
        for (var e : specs.entrySet()) {
          if (System.nanoTime() >= deadline) {
            break;
          }
          String name = e.getKey();
          JobSpec spec = withRun(e.getValue(), every, work.resolve(name + "-" + repeat),
              examples);
          long start = System.nanoTime();
          TrainJob.Result result = TrainJob.run(sc, spec, false);
          List<Map<String, Object>> seen = validationsOf(result.model().history());
          validations += seen.size();
          repeats.merge(name, 1, Integer::sum);
          List<Map<String, Object>> first = firstValidations.putIfAbsent(name, seen);
          boolean same = first == null || first.equals(seen);
          if (!same) {
            differences++;
            BenchJson.log(WHO, name + " repeat " + repeat + " differs: first " + first
                + ", now " + seen);
          }
          BenchJson.log(WHO, String.format("%s repeat %d: %d validations in %.0f s, %s", name,
              repeat, seen.size(), (System.nanoTime() - start) / 1e9,
              first == null ? "the reference" : same ? "identical" : "DIFFERENT"));
          deleteTree(work.resolve(name + "-" + repeat));
        }
      }
    }
    System.out.println(String.format("soak: runs %s, %d validations, %d runs differed", repeats,
        validations, differences));
    System.exit(differences == 0 ? 0 : 1);
  }

  /** Each validation's round and metrics, in order. */
  private static List<Map<String, Object>> validationsOf(List<RoundMetrics> history) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (RoundMetrics r : history) {
      if (r.validation() != null) {
        out.add(Map.of("round", r.round(), "metrics", r.validation()));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("a soak run validated nothing: lower --every");
    }
    return out;
  }

  private static Map<String, Object> gpt(Path examples, Path work, int chars)
      throws IOException {
    Map<String, Object> tree = example(examples, "gpt-moby-dick.yaml");
    Path book = examples.resolve((String) data(tree).get("uri")).normalize();
    Path cut = work.resolve("moby-dick-start.txt");
    char[] buffer = new char[chars];
    try (Reader in = new InputStreamReader(new GZIPInputStream(Files.newInputStream(book)),
        StandardCharsets.UTF_8); Writer out = Files.newBufferedWriter(cut)) {
      // A Reader may return fewer chars than asked: read until `chars` or the end of the book.
      int total = 0;
      for (int n = 0; total < chars && n >= 0; total += Math.max(n, 0)) {
        n = in.read(buffer, total, chars - total);
      }
      out.write(buffer, 0, total);
    }
    data(tree).put("uri", cut.toString());
    return tree;
  }

  private static Map<String, Object> bert(Path examples, Path work, int files)
      throws IOException {
    Map<String, Object> tree = example(examples, "bert-sotu.yaml");
    Path corpus = examples.resolve((String) data(tree).get("uri")).normalize();
    Path subset = Files.createDirectories(work.resolve("sotu"));
    try (Stream<Path> all = Files.list(corpus)) {
      for (Path p : all.sorted().limit(files).toList()) {
        Files.copy(p, subset.resolve(p.getFileName()));
      }
    }
    data(tree).put("uri", subset.toString());
    return tree;
  }

  /** The fine-tuning example trained from scratch (its comment says how): no pretrained run. */
  private static Map<String, Object> bertClassifier(Path examples, Path work)
      throws IOException, InterruptedException {
    Map<String, Object> tree = example(examples, "bert-sotu-era.yaml");
    Path csv = work.resolve("sotu-era.csv");
    Path sotu = examples.resolve((String) data(example(examples, "bert-sotu.yaml")).get("uri"))
        .normalize();
    Process p = new ProcessBuilder(examples.resolveSibling("scripts/sotu-era-csv.sh").toString(),
        sotu.toString(), csv.toString()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("scripts/sotu-era-csv.sh failed");
    }
    data(tree).put("uri", csv.toString());
    data(tree).put("tokenizer", "bpe");
    data(tree).put("vocabSize", 2000);
    model(tree).remove("pretrained");
    return tree;
  }

  @SuppressWarnings("unchecked")
  private static JobSpec withRun(Map<String, Object> example, int every, Path runDir,
      Path examples) {
    Map<String, Object> tree = new Yaml().load(new Yaml().dump(example));
    ((Map<String, Object>) tree.get("train")).put("epochs", 1);
    tree.put("eval", new LinkedHashMap<>(Map.of("validateEveryRounds", every)));
    tree.remove("checkpoint");
    tree.put("output", new LinkedHashMap<>(Map.of("dir", runDir.toString())));
    return JobSpecParser.parseTree(tree, examples);
  }

  private static Map<String, Object> example(Path examples, String file) throws IOException {
    try (InputStream in = Files.newInputStream(examples.resolve(file))) {
      return new Yaml().load(in);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> data(Map<String, Object> tree) {
    return (Map<String, Object>) tree.get("data");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> model(Map<String, Object> tree) {
    return (Map<String, Object>) tree.get("model");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
