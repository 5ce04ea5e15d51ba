package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: a fresh JVM per command, real files in and out. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliEndToEndTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  private static final Path DIGITS =
      Path.of("../examples/digits.csv.gz").toAbsolutePath().normalize();
  @TempDir
  static Path dir;

  private static Path spec(int epochs) throws IOException {
    return Files.writeString(dir.resolve("digits-" + epochs + ".yaml"), """
        data: {uri: '%s', numClasses: 10, split: {train: 0.8, validation: 0.05, test: 0.15}}
        model: {name: mlp, hidden: [64]}
        train: {epochs: %d, batchSize: 16, workers: 2, averagingFrequency: 5,
                optimizer: {name: adam, learningRate: 0.003}}
        output: {dir: run}
        """.formatted(DIGITS, epochs));
  }

  private static ChildJvm.Result cli(String... args) throws Exception {
    return ChildJvm.run(dir, MAIN, args);
  }

  @Test
  @Order(1)
  void trainWritesTheRunDirectoryAndPrintsTestAccuracy() throws Exception {
    ChildJvm.Result r = cli("train", spec(8).toString(), "--master", "local[2]");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("test accuracy:").contains("throughput:");
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("run/summary.json").toFile());
    assertThat(summary.at("/test/accuracy").asDouble()).isGreaterThan(0.9);
    assertThat(summary.at("/throughput/examplesPerSec").asDouble()).isPositive();
    assertThat(summary.at("/records/read").asLong()).isEqualTo(1797);
    assertThat(summary.at("/wallTimeSeconds").asDouble()).isPositive();
    // 64-64-10 MLP: (2*64*64 + 64) + (2*64*10 + 10) = 9,546 forward, x 3 to train; achieved
    // GFLOP/s are examples/s times that, against the peak this JVM measured before training.
    assertThat(summary.at("/flops/trainingFlopsPerExample").asLong()).isEqualTo(28_638);
    assertThat(summary.at("/flops/achievedGflopsPerSec").asDouble()).isCloseTo(
        summary.at("/throughput/examplesPerSec").asDouble() * 28_638 / 1e9, within(1e-9));
    assertThat(summary.at("/flops/peak/hosts/0/perCoreGflopsPerSec").asDouble()).isPositive();
    assertThat(summary.at("/flops/utilization").asDouble()).isGreaterThan(0).isLessThan(1);
    assertThat(r.stderr()).contains("resolved job spec:").contains("measured peak (sgemm");
    // The CLI turned JavaCPP's resident-size check off before ND4J loaded (the workers train
    // in this JVM); the off-heap limit stays.
    assertThat(summary.at("/backend/driver/physicalLimitBytes").asLong()).isZero();
    assertThat(summary.at("/backend/driver/offHeapLimitBytes").asLong()).isPositive();
  }

  @Test
  @Order(2)
  void evaluateAppliesTheSavedNormalization() throws Exception {
    ChildJvm.Result r = cli("evaluate", "--model", "run/model", "--data", DIGITS.toString(),
        "--master", "local[2]");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode metrics = new ObjectMapper().readTree(r.stdout());
    assertThat(metrics.get("accuracy").asDouble()).isGreaterThan(0.9);
    assertThat(metrics.get("examples").asLong()).isEqualTo(1797);
  }

  @Test
  @Order(3)
  void predictWritesOneRowPerInputRow() throws Exception {
    ChildJvm.Result r = cli("predict", "--model", "run/model", "--input", DIGITS.toString(),
        "--label-column", "-1", "--output", "predictions.csv");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    List<String> lines = Files.readAllLines(dir.resolve("predictions.csv"));
    assertThat(lines).hasSize(1798);
    assertThat(lines.get(0)).startsWith("prediction,p0,p1");
    assertThat(lines.get(1).split(",")).hasSize(11);
  }

  @Test
  @Order(4)
  void crossvalReportsMeanAndStd() throws Exception {
    ChildJvm.Result r = cli("crossval", spec(3).toString(), "--folds", "3", "--master",
        "local[2]");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode metrics = new ObjectMapper().readTree(r.stdout());
    assertThat(metrics.at("/accuracy/mean").asDouble()).isGreaterThan(0.85);
    assertThat(metrics.at("/accuracy/std").asDouble()).isBetween(0.0, 0.1);
    assertThat(dir.resolve("run/crossval.json")).exists();
  }

  @Test
  @Order(5)
  void checkpointsAreListedAndExportedAsAModel() throws Exception {
    ChildJvm.Result list = cli("checkpoints", "run");
    assertThat(list.exitCode()).as(list.stderr()).isZero();
    String[] lines = list.stdout().strip().split("\n");
    assertThat(lines[0]).startsWith("round");
    assertThat(lines.length).isBetween(2, 5);
    assertThat(lines[1]).contains(" yes ").contains("accuracy");
    String newest = lines[1].trim().split("\\s+")[0];

    ChildJvm.Result export = cli("export", "--checkpoint",
        "run/checkpoints/round-" + String.format("%06d", Long.parseLong(newest)),
        "--output", "exported.zip");
    assertThat(export.exitCode()).as(export.stderr()).isZero();
    assertThat(dir.resolve("exported.preprocessing.json")).exists();
    ChildJvm.Result eval = cli("evaluate", "--model", "exported.zip", "--data",
        DIGITS.toString(), "--master", "local[2]");
    assertThat(eval.exitCode()).as(eval.stderr()).isZero();
    assertThat(new ObjectMapper().readTree(eval.stdout()).get("accuracy").asDouble())
        .isGreaterThan(0.9);
  }

  @Test
  @Order(6)
  void userErrorsGetOneClearLineAndNoStackTrace() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"),
        "data: {uri: x.csv, numClasses: 2}\nmodel: {name: mlp}\ntrain: {epoch: 3}\n");
    ChildJvm.Result r = cli("train", bad.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("sparktrain: error: ").contains("bad.yaml")
        .contains("unknown key 'train.epoch'").doesNotContain("\tat ");

    // Every mistake is printed, one per line, not only the line that counts them.
    Path twoMistakes = Files.writeString(dir.resolve("two.yaml"),
        "data: {uri: x.csv, numClasses: 2}\nmodel: {name: mlp, hiden: [8]}\ntrian: {}\n");
    r = cli("train", twoMistakes.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("2 mistakes").contains("'model.hiden'")
        .contains("'trian'").doesNotContain("\tat ");

    Path broken = Files.writeString(dir.resolve("broken.csv"), "1,2,0\n3,oops,1\n");
    Path failing = Files.writeString(dir.resolve("failing.yaml"), """
        data: {uri: '%s', numClasses: 2}
        preprocess: {badRecords: fail}
        model: {name: mlp}
        train: {workers: 1}
        """.formatted(broken));
    // A --set value goes through the same checks, and the message says where it came from.
    r = cli("train", spec(8).toString(), "--set", "train.epochs=zero");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("with --set/--output: train.epochs: 'zero' is not allowed")
        .doesNotContain("\tat ");

    r = cli("train", failing.toString(), "--master", "local[1]");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("broken.csv line 2: column 2 is not a number: 'oops'")
        .doesNotContain("\tat ");
  }

  @Test
  @Order(7)
  void everyCommandHasHelp() throws Exception {
    for (String command : List.of("train", "evaluate", "predict", "crossval", "generate",
        "checkpoints", "export")) {
      ChildJvm.Result r = cli(command, "--help");
      assertThat(r.exitCode()).as(command + " --help: " + r.stderr()).isZero();
      assertThat(r.stdout()).as(command + " --help").contains("Usage: sparktrain " + command)
          .doesNotContain("Missing required");
    }
    assertThat(cli("train", "--help").stdout()).contains("--set").contains("--output")
        .contains("--overwrite").contains("--quiet").contains("--log-level");
  }
}
