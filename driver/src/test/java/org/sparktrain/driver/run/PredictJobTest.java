package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;

/** predict writes beside its inputs, never over them, and its numbers are the model's. */
class PredictJobTest {
  @TempDir
  static Path dir;
  private static String model;
  private static Path inputs;
  private static final Configuration CONF = new Configuration();

  @BeforeAll
  static void trainAModel() throws IOException {
    inputs = Files.createDirectories(dir.resolve("inputs"));
    TestData.write(inputs, "part-0.csv", TestData.blobsCsv(90, 4, 3, 5));
    TestData.write(inputs, "part-1.csv", TestData.blobsCsv(30, 4, 3, 5));
    TrainJob.run(SharedSpark.context(), JobSpecParser.parse("data: {uri: '" + inputs
        + "', numClasses: 3}\nmodel: {name: mlp, hidden: [8]}\n"
        + "train: {epochs: 15, batchSize: 16, workers: 2, threadsPerWorker: 1, "
        + "optimizer: {name: adam, learningRate: 0.05}}\n"
        + "output: {dir: '" + dir.resolve("run") + "'}\n", null), false);
    model = dir.resolve("run/model").toString();
  }

  private static long predict(String input, Path output, boolean overwrite) throws IOException {
    return PredictJob.run(model, input, output.toString(), 4, false, overwrite, CONF);
  }

  @Test
  void predictionsAreOneRowPerInputWithProbabilitiesThatSumToOne() throws IOException {
    Path out = dir.resolve("predictions.csv");
    assertThat(predict(inputs.toString(), out, false)).isEqualTo(120);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(121);
    assertThat(lines.get(0)).isEqualTo("prediction,p0,p1,p2");
    int correct = 0;
    List<String> truth = Files.readAllLines(inputs.resolve("part-0.csv"));
    truth.addAll(Files.readAllLines(inputs.resolve("part-1.csv")));
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",");
      double p0 = Double.parseDouble(f[1]);
      double p1 = Double.parseDouble(f[2]);
      double p2 = Double.parseDouble(f[3]);
      assertThat(p0 + p1 + p2).isCloseTo(1.0, Offset.offset(1e-4));
      int argmax = p0 >= p1 && p0 >= p2 ? 0 : p1 >= p2 ? 1 : 2;
      assertThat(Integer.parseInt(f[0])).isEqualTo(argmax);
      String[] row = truth.get(i - 1).split(",");
      correct += Integer.parseInt(row[4]) == argmax ? 1 : 0;
    }
    // Well-separated blobs: the model gets nearly all of them.
    assertThat(correct).isGreaterThan(110);
  }

  @Test
  void anOutputThatIsOrIsInsideAnInput_isRefusedAndTheInputKept() throws IOException {
    Path file = inputs.resolve("part-1.csv");
    String before = Files.readString(file);
    assertThatThrownBy(() -> predict(file.toString(), file, true))
        .hasMessageContaining("--output " + "file:" + file)
        .hasMessageContaining("is an input");
    assertThatThrownBy(() -> predict(inputs.toString(), inputs.resolve("predictions.csv"), true))
        .hasMessageContaining("is inside an input");
    assertThatThrownBy(() -> predict(inputs.toString(), Path.of(model, "predictions.csv"),
        true)).hasMessageContaining("is inside the model");
    assertThat(Files.readString(file)).isEqualTo(before);
    assertThat(inputs.resolve("predictions.csv")).doesNotExist();
  }

  @Test
  void anExistingOutputIsReplacedOnlyWithOverwrite() throws IOException {
    Path out = Files.writeString(dir.resolve("earlier.csv"), "precious\n");
    assertThatThrownBy(() -> predict(inputs.toString(), out, false))
        .hasMessageContaining("exists; pass --overwrite to replace it");
    assertThat(Files.readString(out)).isEqualTo("precious\n");
    predict(inputs.toString(), out, true);
    assertThat(Files.readAllLines(out)).hasSize(121);
  }
}
