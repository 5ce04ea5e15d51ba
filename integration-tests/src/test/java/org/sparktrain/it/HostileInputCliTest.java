package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.model.transformer.TransformerNetworks;
import org.sparktrain.worker.model.transformer.TransformerShape;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.text.CharTokenizer;
import org.sparktrain.worker.text.Tokenizer;

/**
 * Inputs built to break the reader, through the command line in a fresh JVM: each ends with one
 * line naming what was wrong and exit code 2, never a stack trace, and the JVM exits.
 */
class HostileInputCliTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  private static final OptimizerConfig ADAM = new OptimizerConfig(OptimizerConfig.Kind.ADAM,
      1e-3, 0.9, 0.9, 0.999, 1e-8);
  @TempDir
  static Path dir;

  private static Path mlpModel(String name) throws IOException {
    Network net = new MlpConfig(new int[] {8}, Activation.RELU, 0, false).build(4, 3, ADAM, 1)
        .newNetwork();
    Path folder = dir.resolve(name);
    new ModelBundle(net, Normalizer.identity(4), "mlp", true, 3).save(folder.toString(),
        new Configuration());
    return folder;
  }

  private static List<String> errorLines(ChildJvm.Result r) {
    return r.stderr().lines().filter(l -> l.startsWith("sparktrain: error:")).toList();
  }

  private static void assertOneLineNoTrace(ChildJvm.Result r) {
    assertThat(errorLines(r)).as(r.stderr()).hasSize(1);
    assertThat(r.stderr()).doesNotContain("\tat ").doesNotContain("Exception in thread");
    assertThat(r.stderr().lines().count()).as(r.stderr()).isLessThanOrEqualTo(4);
  }

  @Test
  void aConfigurationNestedAHundredThousandLevelsIsOneLineNamingTheFile() throws Exception {
    Path model = mlpModel("deep-config");
    String deep = "{\"confs\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      out.putNextEntry(new ZipEntry("configuration.json"));
      out.write(deep.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    Files.write(model.resolve("model.zip"), zip.toByteArray());
    Files.deleteIfExists(model.resolve(".model.zip.crc")); // Hadoop's checksum of the old one
    Path input = Files.writeString(dir.resolve("rows.csv"), "1,2,3,4\n");

    ChildJvm.Result r = ChildJvm.run(dir, MAIN, "predict", "--model", model.toString(),
        "--input", input.toString(), "--output", dir.resolve("out.csv").toString());

    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
    assertOneLineNoTrace(r);
    assertThat(errorLines(r).get(0)).contains(model.resolve("model.zip").toString())
        .contains("configuration.json").contains("nests deeper than 64 levels");
  }

  @Test
  void aHundredMegabyteCsvLineIsOneLineNamingTheFileAndLine() throws Exception {
    Path model = mlpModel("for-long-line");
    Path input = dir.resolve("long-line.csv");
    try (OutputStream out = Files.newOutputStream(input)) {
      out.write("1,2,3,4\n".getBytes(StandardCharsets.US_ASCII));
      byte[] digits = "1111111111".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 100; i++) {
        out.write(digits); // 100 MB, no newline
      }
    }

    ChildJvm.Result r = ChildJvm.run(dir, List.of("-Xmx256m"), Map.of(), MAIN,
        "predict", "--model", model.toString(), "--input", input.toString(), "--output",
        dir.resolve("long-out.csv").toString());
    Files.delete(input);

    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
    assertOneLineNoTrace(r);
    assertThat(errorLines(r).get(0)).contains(input.toString() + ": line 2 is longer than "
        + "4194304 characters");
  }

  @Test
  void outOfMemoryIsOneLineWithWhatToDoAndTheJvmExits() throws Exception {
    Tokenizer tokenizer = CharTokenizer.train("the whale and the sea. ".repeat(5));
    TransformerShape shape = new TransformerShape(tokenizer.vocabSize(), 6, 1, 8, 2);
    Network gpt = Network.of(TransformerNetworks.gpt(shape, new Adam(1e-3), 3));
    Path model = dir.resolve("gpt");
    new ModelBundle(gpt, Normalizer.identity(shape.blockSize() + 1), TransformerConfig.GPT,
        true, tokenizer.vocabSize(), tokenizer.toJson(), null).save(model.toString(),
        new Configuration());

    // Two billion tokens are 8 GB of token ids: more than this 256 MB heap.
    ChildJvm.Result r = ChildJvm.run(dir, List.of("-Xmx256m"), Map.of(), MAIN,
        "generate", "--model", model.toString(), "--tokens", "2000000000");

    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
    assertOneLineNoTrace(r);
    assertThat(errorLines(r).get(0)).contains("out of memory (OutOfMemoryError")
        .contains("--model " + model).contains("--tokens 2000000000")
        .contains("use smaller values").contains("-Xmx");
  }
}
