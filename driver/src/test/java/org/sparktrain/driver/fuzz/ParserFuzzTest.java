package org.sparktrain.driver.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.io.FileUtils;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.driver.checkpoint.CheckpointContent;
import org.sparktrain.driver.checkpoint.CheckpointException;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.CsvLineParser;
import org.sparktrain.worker.data.IdxReader;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.LibSvmLineParser;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.model.Int8ModelFile;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.ResNetConfig;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.text.BpeTokenizer;
import org.sparktrain.worker.text.CharTokenizer;
import org.sparktrain.worker.text.Tokenizer;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * Mutation fuzzing of every parser a user's bytes reach: each must accept an input or refuse it
 * with the exception its callers turn into one line naming the file; never another exception,
 * never a hang, never an out-of-memory. Inputs are valid files mutated by seeded random edits
 * (bit flips, interesting bytes and integers, insertions, deletions, duplications, truncation),
 * so a failure reproduces from its seed.
 *
 * <p>CI runs {@code fuzz.cases} cases per parser (default 300); {@code scripts/fuzz.sh} runs a
 * longer campaign with more and prints the counts.
 */
class ParserFuzzTest {
  private static final int CASES = Integer.getInteger("fuzz.cases", 300);
  private static final long SEED = Long.getLong("fuzz.seed", 20261202L);
  private static final long CASE_TIMEOUT_S = 20;
  private static final ExecutorService RUNNER = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fuzz-case");
    t.setDaemon(true);
    return t;
  });
  private static final Map<String, int[]> SUMMARY = new LinkedHashMap<>();
  @TempDir
  static Path dir;

  /** Parses one input; returns normally when it is accepted. */
  private interface Target {
    void parse(byte[] input) throws Exception;
  }

  /** Whether an exception is the clean refusal this parser promises. */
  private interface Refusal {
    boolean clean(Throwable t);
  }

  @AfterAll
  static void report() {
    StringBuilder sb = new StringBuilder("fuzz summary (seed " + SEED + "):");
    long total = 0;
    for (Map.Entry<String, int[]> e : SUMMARY.entrySet()) {
      int[] c = e.getValue();
      total += c[0] + c[1];
      sb.append(String.format("%n  %-12s %7d inputs: %7d read (records may be dropped with a "
          + "reason), %7d refused with a message", e.getKey(), c[0] + c[1], c[0], c[1]));
    }
    sb.append(String.format("%n  %-12s %7d inputs, 0 failures", "total", total));
    System.out.println(sb);
  }

  /** Runs the campaign for one parser and fails listing every input it mishandled. */
  private static void fuzz(String name, List<byte[]> seeds, Target target, Refusal refusal) {
    fuzz(name, CASES, seeds, target, refusal);
  }

  /**
   * As {@link #fuzz(String, List, Target, Refusal)} with {@code cases} inputs: a third of
   * {@code fuzz.cases} for targets that build a DL4J network per input (60-80 ms each).
   */
  private static void fuzz(String name, int cases, List<byte[]> seeds, Target target,
      Refusal refusal) {
    Random random = new Random(SEED ^ name.hashCode());
    int accepted = 0;
    int refused = 0;
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < cases; i++) {
      byte[] input = Mutator.mutate(seeds.get(random.nextInt(seeds.size())), random);
      Future<?> run = RUNNER.submit(() -> {
        target.parse(input);
        return null;
      });
      try {
        run.get(CASE_TIMEOUT_S, TimeUnit.SECONDS);
        accepted++;
      } catch (TimeoutException e) {
        run.cancel(true);
        failures.add("case " + i + ": no answer within " + CASE_TIMEOUT_S + " s");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (refusal.clean(cause) && cause.getMessage() != null
            && !cause.getMessage().isBlank()) {
          refused++;
        } else {
          failures.add("case " + i + ": " + cause);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    SUMMARY.put(name, new int[] {accepted, refused});
    assertThat(failures).as("%s: inputs mishandled (seed %d, %d cases)", name, SEED, cases)
        .isEmpty();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void jobSpecs() {
    List<byte[]> seeds = List.of(utf8("""
        data: {uri: digits.csv.gz, numClasses: 10, split: {train: 0.8, validation: 0.1, test: 0.1}}
        model: {name: mlp, hidden: [32, 16], dropout: 0.1}
        train: {epochs: 3, workers: 2, optimizer: {name: adam, learningRate: 0.001,
                warmupSteps: 5, decay: cosine}, earlyStopping: {metric: accuracy, patience: 2}}
        checkpoint: {everyRounds: 5, keepLast: 3, keepBestBy: accuracy}
        output: {dir: runs/x}
        """), utf8("""
        data:
          uri: moby.txt
          format: text
          tokenizer: bpe
          vocabSize: 300
        model: {name: gpt, blockSize: 32, layers: 2, width: 64, heads: 4}
        train: {epochs: 1, sync: collective, syncPrecision: bfloat16,
                outer: {name: nesterov, learningRate: 0.7, momentum: 0.9}}
        """), utf8("""
        data: {uri: x.idx, format: idx, labelsUri: y.idx, numClasses: 10}
        model: {name: resnet, inputShape: [28, 28, 1], widths: [8, 16], blocksPerStage: 1}
        preprocess: {normalize: scale, augment: {flip: true, crop: 2}}
        """));
    fuzz("spec", seeds, in -> JobSpecParser.parse(new String(in, StandardCharsets.UTF_8),
        dir), t -> t instanceof SpecException);
  }

  @Test
  void csvAndLibSvmLines() {
    CsvLineParser csv = new CsvLineParser(4, 3, LabelRule.classes(3));
    fuzz("csv", List.of(utf8("1.5,2,-3e-2,0"), utf8(" 0.1 , NaN, 7 ,2"), utf8("1,2,3,1")),
        in -> csv.parse(new String(in, StandardCharsets.UTF_8), 0, 1), t -> false);
    LibSvmLineParser libsvm = new LibSvmLineParser(20, LabelRule.classes(3));
    fuzz("libsvm", List.of(utf8("1 3:0.5 10:2 20:-1e3"), utf8("0"), utf8("2 1:1")),
        in -> libsvm.parse(new String(in, StandardCharsets.UTF_8), 0, 1), t -> false);
  }

  @Test
  void idxFiles() throws IOException {
    ByteArrayOutputStream images = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(images);
    out.writeInt(0x00000803); // IDX unsigned bytes, 3 dimensions
    out.writeInt(3);
    out.writeInt(4);
    out.writeInt(4);
    for (int i = 0; i < 48; i++) {
      out.writeByte(i * 5);
    }
    byte[] labels = {0, 0, 8, 1, 0, 0, 0, 3, 1, 7, 2};
    byte[] imageBytes = images.toByteArray();
    // One input holds both files: the images, then the labels, split where the seed split them.
    byte[] joined = new byte[imageBytes.length + labels.length];
    System.arraycopy(imageBytes, 0, joined, 0, imageBytes.length);
    System.arraycopy(labels, 0, joined, imageBytes.length, labels.length);
    fuzz("idx", List.of(joined), in -> {
      int cut = Math.min(in.length, imageBytes.length);
      byte[] img = Arrays.copyOfRange(in, 0, cut);
      byte[] lbl = Arrays.copyOfRange(in, cut, in.length);
      try (IdxReader r = new IdxReader(new ByteArrayInputStream(img), "img.idx",
          new ByteArrayInputStream(lbl), "lbl.idx", LabelRule.classes(10))) {
        r.checkImagesLength(img.length);
        r.forEachRemaining(x -> { });
      }
    }, t -> (t instanceof IOException || t instanceof IllegalStateException)
        && (t.getMessage().contains("img.idx") || t.getMessage().contains("lbl.idx")));
  }

  @Test
  void tokenizerFiles() {
    String text = "the whale, the sea; call me ishmael. 42 ships! ".repeat(20);
    List<byte[]> seeds = List.of(utf8(CharTokenizer.train(text).toJson()),
        utf8(BpeTokenizer.train(text, 300).toJson()));
    fuzz("tokenizer", seeds, in -> Tokenizer.fromJson(new String(in, StandardCharsets.UTF_8)),
        t -> t instanceof IllegalArgumentException);
  }

  @Test
  void checkpoints() throws IOException {
    float[] params = new float[64];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) Math.sin(i);
    }
    RoundMetrics m = new RoundMetrics(0, 0, 0.5, 64, 10, 5, 2, 0.5, 100,
        Map.of("accuracy", 0.5));
    CheckpointContent content = new CheckpointContent(0, new ModelSnapshot(params,
        new float[][] {params.clone()}, 1, 0), "{\"c\":1}", new Normalizer(
        NormalizationMethod.STANDARDIZE, new float[] {0.5f}, new float[] {2f}),
        "data: {uri: x}\n", List.of(m), 64, 1.0, 1L);
    Path clean = Files.createDirectories(dir.resolve("clean-checkpoint"));
    new CheckpointStore(clean.toUri().toString(), new Configuration()).write(content);
    Path round = clean.resolve("checkpoints/round-000000");
    List<String> names = new ArrayList<>();
    try (var files = Files.list(round)) {
      files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted()
          .forEach(names::add);
    }
    // Seeds: each file of the checkpoint, tagged with its index so the target knows which.
    List<byte[]> seeds = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) {
      byte[] file = Files.readAllBytes(round.resolve(names.get(k)));
      byte[] tagged = new byte[file.length + 1];
      tagged[0] = (byte) k;
      System.arraycopy(file, 0, tagged, 1, file.length);
      seeds.add(tagged);
    }
    int[] next = {0};
    fuzz("checkpoint", seeds, in -> {
      if (in.length == 0) {
        return;
      }
      Path copy = dir.resolve("ckpt-" + next[0]++);
      Path r = copy.resolve("checkpoints/round-000000");
      TestData.copyFolder(round, r);
      String name = names.get(Math.floorMod(in[0], names.size()));
      byte[] body = Arrays.copyOfRange(in, 1, in.length);
      // Half the time the manifest is rewritten to vouch for the new bytes, so the parsers
      // behind the digest are reached too (a forged or other-version checkpoint).
      if ((in.length & 1) == 0 && !name.equals("_MANIFEST.json")) {
        TestData.forgeCheckpointFile(r, name, name, body);
      } else {
        Files.write(r.resolve(name), body);
        Files.deleteIfExists(r.resolve("." + name + ".crc"));
      }
      new CheckpointStore(copy.toUri().toString(), new Configuration()).latestValid(w -> { })
          .ifPresent(c -> assertThat(c.round()).isZero());
      FileUtils.deleteQuietly(copy.toFile());
    }, t -> t instanceof CheckpointException);
  }

  @Test
  void modelZips() throws IOException {
    Network net = Network.of(new NeuralNetConfiguration.Builder().seed(1)
        .updater(new Adam(1e-3)).list()
        .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
            .activation(Activation.SOFTMAX).build()).build());
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    net.save(zip);
    // The raw zip, and a stored (uncompressed) one, so mutations reach the entries' bytes.
    byte[] stored = Forge.storedZip(zip.toByteArray());
    fuzz("model-zip", List.of(zip.toByteArray(), stored),
        in -> Network.restore(new ByteArrayInputStream(in), "model.zip"),
        t -> t instanceof IOException && t.getMessage() != null
            && t.getMessage().contains("model.zip"));
  }

  /** A small classifier's files: the seeds of the model-file campaigns. */
  private static Network smallNetwork() {
    return Network.of(new NeuralNetConfiguration.Builder().seed(1)
        .updater(new Adam(1e-3)).list()
        .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
            .activation(Activation.SOFTMAX).build()).build());
  }

  /** Replaces one file of a folder written through Hadoop, and Hadoop's checksum of it. */
  private static void replace(Path folder, String name, byte[] content) throws IOException {
    Files.write(folder.resolve(name), content);
    Files.deleteIfExists(folder.resolve("." + name + ".crc"));
  }

  @Test
  void preprocessingFiles() throws IOException {
    Path model = dir.resolve("preprocessing-model");
    new ModelBundle(smallNetwork(), new Normalizer(NormalizationMethod.STANDARDIZE,
        new float[] {0.5f, -1f, 2f, 0f}, new float[] {2f, 1f, 0.25f, Float.NaN}), "mlp", true,
        3).save(model.toString(), new Configuration());
    byte[] saved = Files.readAllBytes(model.resolve(ModelBundle.PREPROCESSING_FILE));
    fuzz("preprocessing", CASES / 3, List.of(saved), in -> {
      replace(model, ModelBundle.PREPROCESSING_FILE, in);
      ModelBundle.load(model.toString(), new Configuration());
    }, t -> t instanceof IOException
        && t.getMessage().contains(ModelBundle.PREPROCESSING_FILE));
  }

  @Test
  void int8ModelFiles() throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    Int8ModelFile.write(smallNetwork(), file);
    byte[] inner = new GZIPInputStream(new ByteArrayInputStream(
        file.toByteArray())).readAllBytes();
    // Tagged: an even first byte feeds the mutated file as it is (what a damaged download
    // does to the gzip stream), an odd one gzips the mutated content (the parser behind it).
    fuzz("int8", List.of(tagged(0, file.toByteArray()), tagged(1, inner)), in -> {
      if (in.length == 0) {
        return;
      }
      byte[] body = Arrays.copyOfRange(in, 1, in.length);
      if ((in[0] & 1) == 1) {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(gz)) {
          out.write(body);
        }
        body = gz.toByteArray();
      }
      Int8ModelFile.read(new ByteArrayInputStream(body), "model.int8");
    }, t -> t instanceof IOException && t.getMessage().contains("model.int8"));
  }

  private static byte[] tagged(int tag, byte[] bytes) {
    byte[] out = new byte[bytes.length + 1];
    out[0] = (byte) tag;
    System.arraycopy(bytes, 0, out, 1, bytes.length);
    return out;
  }

  @Test
  void dl4jConfigurations() throws IOException {
    String mlp = smallNetwork().config().toJson();
    String graph = new ResNetConfig(new int[] {6, 6, 1}, 2, 1, new int[] {2}, 1)
        .build(36, 3, new OptimizerConfig(OptimizerConfig.Kind.ADAM, 1e-3, 0.9, 0.9, 0.999,
            1e-8), 1).toJson();
    Path file = dir.resolve("net.json");
    String spec = "data: {uri: x.csv, numClasses: 3}\nmodel: {name: dl4j, configuration: '"
        + file + "'}\n";
    fuzz("dl4j-config", CASES / 3, List.of(utf8(mlp), utf8(graph)), in -> {
      Files.write(file, in);
      JobSpecParser.parse(spec, dir);
    }, t -> t instanceof SpecException && t.getMessage().contains("net.json"));
  }

  /**
   * Inputs no mutation of a valid file reaches in a few hundred tries: nesting 100,000 deep (a
   * parser that recurses overflows its stack), YAML aliases under SnakeYAML's limit of 50 that
   * expand a few bytes into millions of values, and sizes claimed far beyond the content.
   */
  @Test
  void structuralAttacks() throws IOException {
    String deepJson = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
    String deepArrays = "[".repeat(100_000) + "]".repeat(100_000);
    Path model = dir.resolve("structural-model");
    new ModelBundle(smallNetwork(), Normalizer.identity(4), "mlp", true, 3)
        .save(model.toString(), new Configuration());
    Path net = dir.resolve("deep-net.json");
    StringBuilder laughs = new StringBuilder("a0: &a0 [1, 1]\n");
    for (int i = 1; i < 20; i++) { // 2^20 values from 38 aliases
      laughs.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1)
          .append(", *a").append(i - 1).append("]\n");
    }
    ByteArrayOutputStream idx = new ByteArrayOutputStream();
    DataOutputStream header = new DataOutputStream(idx);
    header.writeInt(0x00000803);
    header.writeInt(Integer.MAX_VALUE); // images claimed
    header.writeInt(4096);
    header.writeInt(4096);
    Map<String, Target> attacks = new LinkedHashMap<>();
    attacks.put("spec nested 100,000 deep", in -> JobSpecParser.parse("model: "
        + deepArrays + "\n", dir));
    attacks.put("spec with 38 aliases", in -> JobSpecParser.parse(laughs
        + "data: {uri: x.csv, numClasses: 3}\nmodel: {name: mlp, hidden: *a19}\n", dir));
    attacks.put("tokenizer nested 100,000 deep", in -> Tokenizer.fromJson(deepArrays));
    attacks.put("preprocessing.json nested 100,000 deep", in -> {
      replace(model, ModelBundle.PREPROCESSING_FILE, utf8(deepJson));
      ModelBundle.load(model.toString(), new Configuration());
    });
    attacks.put("DL4J configuration nested 100,000 deep", in -> {
      Files.writeString(net, "{\"confs\":" + deepArrays + "}");
      JobSpecParser.parse("data: {uri: x.csv, numClasses: 3}\nmodel: {name: dl4j, "
          + "configuration: '" + net + "'}\n", dir);
    });
    attacks.put("model zip with a configuration 100,000 deep", in -> Network.restore(
        new ByteArrayInputStream(Forge.zipOf("configuration.json", utf8("{\"confs\":"
            + deepArrays + "}"))), "model.zip"));
    attacks.put("IDX claiming 2^31 images of 2^24 pixels", in -> {
      try (IdxReader r = new IdxReader(new ByteArrayInputStream(idx.toByteArray()), "img.idx",
          new ByteArrayInputStream(new byte[] {0, 0, 8, 1, 0x7f, -1, -1, -1}), "lbl.idx",
          LabelRule.classes(10))) {
        r.forEachRemaining(x -> { });
      }
    });
    List<String> failures = new ArrayList<>();
    int refused = 0;
    for (Map.Entry<String, Target> attack : attacks.entrySet()) {
      Future<?> run = RUNNER.submit(() -> {
        attack.getValue().parse(new byte[0]);
        return null;
      });
      try {
        run.get(CASE_TIMEOUT_S, TimeUnit.SECONDS);
        failures.add(attack.getKey() + ": accepted");
      } catch (TimeoutException e) {
        run.cancel(true);
        failures.add(attack.getKey() + ": no answer within " + CASE_TIMEOUT_S + " s");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if ((cause instanceof IOException || cause instanceof SpecException
            || cause instanceof IllegalArgumentException || cause instanceof IllegalStateException)
            && cause.getMessage() != null && !cause.getMessage().isBlank()) {
          refused++;
        } else {
          failures.add(attack.getKey() + ": " + String.valueOf(cause).substring(0,
              Math.min(300, String.valueOf(cause).length())));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    SUMMARY.put("structural", new int[] {0, refused});
    assertThat(failures).as("structural attacks").isEmpty();
  }
}
