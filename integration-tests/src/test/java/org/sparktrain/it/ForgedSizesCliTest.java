package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.sparktrain.driver.checkpoint.CheckpointContent;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * Small inputs that claim huge sizes, given to the command line in a JVM of 512 MB: a model zip
 * of a few MB whose configuration claims 537M parameters, an int8 model and a checkpoint with
 * the same claim, a 1.4 KB spec whose 46 aliases stand for 16M values, and a spec within every
 * key's bounds whose network would be 16 GiB. Each is refused in seconds, with one line naming
 * the file or key, and exit code 2; none reaches an OutOfMemoryError.
 */
class ForgedSizesCliTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  private static final Path DIGITS =
      Path.of("../examples/digits.csv.gz").toAbsolutePath().normalize();
  private static final List<String> SMALL_HEAP = List.of("-Xmx512m");
  /** JVM and Spark start included; the refusals themselves take milliseconds. */
  private static final double MAX_SECONDS = 60;
  /** 23,170 x 23,170 weights and the rest: 536,941,583 parameters, 2 GiB as floats. */
  private static final String CLAIMED = "536,941,583 parameters";
  @TempDir
  static Path dir;

  @BeforeAll
  static void forgeFiles() throws IOException {
    String claim = new MlpConfig(new int[] {23_170}, Activation.RELU, 0, false)
        .build(23_170, 3, new OptimizerConfig(OptimizerConfig.Kind.ADAM, 1e-3, 0.9, 0.9, 0.999,
            1e-8), 1).toJson();
    String preprocessing = "{\"normalize\": \"none\", \"shift\": [], \"scale\": [], "
        + "\"model\": \"mlp\", \"task\": \"classification\", \"numClasses\": 3}";
    // The zip: the claim, and 1 GiB of zeros for coefficients (within the 2 GiB the claim
    // allowed), deflated to about a megabyte.
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(
        dir.resolve("forged.zip")))) {
      zip.setLevel(Deflater.BEST_COMPRESSION);
      zip.putNextEntry(new ZipEntry("configuration.json"));
      zip.write(claim.getBytes(StandardCharsets.UTF_8));
      zip.putNextEntry(new ZipEntry("coefficients.bin"));
      writeZeros(zip, 1L << 30);
      zip.closeEntry();
    }
    assertThat(Files.size(dir.resolve("forged.zip"))).isLessThan(5L << 20);
    Files.writeString(dir.resolve("forged.preprocessing.json"), preprocessing);

    Path int8 = Files.createDirectories(dir.resolve("forged-int8"));
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(
        Files.newOutputStream(int8.resolve("model.int8"))))) {
      byte[] bytes = claim.getBytes(StandardCharsets.UTF_8);
      out.writeInt(0x53545138); // "STQ8"
      out.writeInt(1);
      out.writeInt(bytes.length);
      out.write(bytes);
    }
    Files.writeString(int8.resolve("preprocessing.json"), preprocessing);

    // A checkpoint whose every byte matches its manifest, but whose configuration claims the
    // same: export built that network with none of a model file's checks.
    float[] params = new float[64];
    RoundMetrics m = new RoundMetrics(0, 0, 0.5, 64, 10, 5, 2, 0.5, 100, Map.of());
    CheckpointContent content = new CheckpointContent(0, new ModelSnapshot(params,
        new float[][] {params.clone()}, 1, 0), claim, new Normalizer(NormalizationMethod.NONE,
        new float[0], new float[0]), spec("[64]"), List.of(m), 64, 1.0, 1L);
    new CheckpointStore(dir.resolve("forged-run").toUri().toString(), new Configuration())
        .write(content);
  }

  private static void writeZeros(OutputStream out, long bytes) throws IOException {
    byte[] zeros = new byte[1 << 20];
    for (long left = bytes; left > 0; left -= zeros.length) {
      out.write(zeros, 0, (int) Math.min(zeros.length, left));
    }
  }

  private static String spec(String hidden) {
    return """
        data: {uri: '%s', numClasses: 10}
        model: {name: mlp, hidden: %s}
        train: {epochs: 1, batchSize: 16, workers: 1}
        output: {dir: run}
        """.formatted(DIGITS, hidden);
  }

  private record Timed(ChildJvm.Result result, double seconds) {}

  private static Timed cli(String... args) throws Exception {
    long start = System.nanoTime();
    ChildJvm.Result r = ChildJvm.run(dir, SMALL_HEAP, Map.of(), MAIN, args);
    return new Timed(r, (System.nanoTime() - start) / 1e9);
  }

  /** Exit 2 within the time, one error line holding every part, no trace, no OOM. */
  private static void assertRefused(Timed t, String... parts) {
    ChildJvm.Result r = t.result();
    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
    List<String> errors = r.stderr().lines().filter(l -> l.startsWith("sparktrain: error: "))
        .toList();
    assertThat(errors).as(r.stderr()).hasSize(1);
    assertThat(errors.get(0)).contains(parts).hasSizeLessThan(800);
    assertThat(r.stderr()).doesNotContain("\tat ").doesNotContain("OutOfMemoryError");
    assertThat(t.seconds()).as("seconds until refused").isLessThan(MAX_SECONDS);
    System.out.printf("refused in %.1f s: %s%n", t.seconds(), errors.get(0));
  }

  @Test
  void evaluateAndPredictRefuseAZipClaimingHalfABillionParameters() throws Exception {
    assertRefused(cli("evaluate", "--model", "forged.zip", "--data", DIGITS.toString(),
        "--master", "local[1]"), "forged.zip: its configuration defines " + CLAIMED,
        "run with more memory");
    assertRefused(cli("predict", "--model", "forged.zip", "--input", DIGITS.toString(),
        "--label-column", "-1", "--output", "predictions.csv"),
        "forged.zip: its configuration defines " + CLAIMED);
    assertThat(dir.resolve("predictions.csv")).doesNotExist();
  }

  @Test
  void anInt8ModelClaimingHalfABillionParametersIsRefusedBeforeItsNetworkIsBuilt()
      throws Exception {
    assertRefused(cli("predict", "--model", "forged-int8", "--input", DIGITS.toString(),
        "--label-column", "-1", "--output", "int8-predictions.csv"),
        "model.int8: its configuration defines " + CLAIMED);
  }

  @Test
  void exportRefusesACheckpointWhoseConfigurationClaimsHalfABillionParameters()
      throws Exception {
    assertRefused(cli("export", "--checkpoint", "forged-run/checkpoints/round-000000",
        "--output", "exported.zip"), "round-000000: its configuration defines " + CLAIMED);
    assertThat(dir.resolve("exported.zip")).doesNotExist();
  }

  @Test
  void aSpecWithFortySixAliasesIsRefusedWithAShortMessage() throws Exception {
    StringBuilder yaml = new StringBuilder("x:\n  - &a0 [1, 1]\n");
    for (int level = 1; level <= 22; level++) {
      yaml.append("  - &a").append(level).append(" [*a").append(level - 1).append(", *a")
          .append(level - 1).append("]\n");
    }
    yaml.append(spec("[*a22, *a22]").replace("output: {dir: run}", "output: {dir: aliases}"));
    Path file = Files.writeString(dir.resolve("aliases.yaml"), yaml);
    assertThat(Files.size(file)).isLessThan(1500);
    assertRefused(cli("train", file.toString(), "--master", "local[1]"), "aliases.yaml",
        "more than 100,000 values once its aliases (*name) are followed");
  }

  @Test
  void aSpecWithinEveryKeysBoundsButA16GibNetworkIsRefusedBeforeItIsBuilt() throws Exception {
    Path file = Files.writeString(dir.resolve("wide.yaml"), spec("[65536, 65536]")
        .replace("output: {dir: run}", "output: {dir: wide}"));
    assertRefused(cli("train", file.toString(), "--master", "local[1]"),
        "model.hidden [65536, 65536]: the network would have 4,299,948,042 parameters "
            + "(16,403 MiB as floats", "Use fewer or narrower hidden layers in model.hidden");
  }
}
