package org.sparktrain.driver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;

/**
 * The notebook API end to end on local[2]: train the digits briefly, read the results, predict.
 * Uses the test JVM's shared context through {@link Sparktrain#attach} (Spark allows one per
 * JVM); the jshell integration test covers {@link Sparktrain#local(int)}.
 */
class SessionTrainTest {
  private static final int ROWS = 200;
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  @Test
  void trainsOnADataFrameByItsViewName() {
    TrainingResult result;
    try (Session session = Sparktrain.attach(sc)) {
      session.spark().read().option("inferSchema", "true").csv(TestData.digits().toString())
          .createOrReplaceTempView("digits_frame");
      // Number labels are classes 0..numClasses-1, so numClasses is given (text labels are
      // counted from the data).
      result = session.train(Sparktrain.spec().catalogTable("digits_frame").labelColumn("_c64")
          .numClasses(10).mlp(32).epochs(3).workers(2).adam(0.003).output(dir.resolve("frame").toString()));
    }
    assertThat(result.testAccuracy()).isGreaterThan(0.85);
    assertThat(result.model().numClasses()).isEqualTo(10);
  }

  @Test
  void trainsReportsAndPredicts() throws IOException {
    TrainingResult result;
    try (Session session = Sparktrain.attach(sc)) {
      result = session.train(Sparktrain.spec().csv(TestData.digits().toString()).labelColumn(-1)
          .numClasses(10).mlp(64, 32).epochs(5).workers(2).batchSize(16).adam(0.003)
          .output(dir.resolve("run").toString()));
    }
    assertThat(sc.sc().isStopped()).as("an attached session leaves Spark running").isFalse();

    assertThat(result.testAccuracy()).isGreaterThan(0.8);
    assertThat(result.testMetrics()).containsKeys("macroF1", "confusionMatrix");
    assertThat(result.metrics()).isNotEmpty();
    assertThat(result.metrics().get(result.metrics().size() - 1).epoch()).isEqualTo(4);
    assertThat(result.summary()).containsKeys("throughput", "records");
    assertThat(result.runDir()).startsWith("file:").contains(dir.getFileName().toString());
    assertThat(dir.resolve("run").resolve(RunDirectory.SUMMARY)).exists();
    assertThat(result.toString()).startsWith("TrainingResult[mlp: test accuracy 0.")
        .contains("5 epochs");
    assertThat(result.model().toString())
        .isEqualTo("Model[mlp, classification, 64 features -> 10 classes, 6,570 parameters, "
            + "standardize]");

    double[][] rows = new double[ROWS][];
    int[] labels = new int[ROWS];
    readDigits(rows, labels);
    Predictions predictions = result.predict(rows);
    assertThat(predictions.size()).isEqualTo(ROWS);
    assertThat(predictions.classes()).hasSize(ROWS);
    assertThat(Arrays.stream(predictions.classes()).boxed()).allMatch(c -> c >= 0 && c < 10);
    for (double[] p : predictions.probabilities()) {
      assertThat(p).hasSize(10);
      assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, within(1e-4));
    }
    long correct = 0;
    for (int i = 0; i < ROWS; i++) {
      correct += predictions.classes()[i] == labels[i] ? 1 : 0;
    }
    assertThat(correct).as("rows predicted right").isGreaterThan(ROWS * 8 / 10);
    assertThat(predictions.toString()).startsWith("Predictions[200 rows: ").endsWith(", ...]");

    // The saved model predicts the same as the one in memory: one normalization, one path.
    Model saved = Sparktrain.model(dir.resolve("run/model").toString());
    assertThat(saved.predict(rows).probabilities()).isDeepEqualTo(predictions.probabilities());
  }

  @Test
  void rowsOfTheWrongWidthAreRefusedNamingTheRow() throws IOException {
    Model model = Sparktrain.model(trainTiny().toString());
    assertThatThrownBy(() -> model.predict(new double[][] {new double[3], new double[2]}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("row 1 has 2 values (the model takes 3 features, without the label)");
    assertThatThrownBy(() -> model.predict(new double[][] {new double[3]}).values())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("use classes() or probabilities()");
  }

  /** A one-epoch model on 3-feature blobs; returns its model folder. */
  private Path trainTiny() throws IOException {
    Path data = TestData.write(dir, "blobs.csv", TestData.blobsCsv(60, 3, 2, 1));
    try (Session session = Sparktrain.attach(sc)) {
      session.train(Sparktrain.spec().csv(data.toString()).numClasses(2).mlp(4).epochs(1)
          .output(dir.resolve("tiny").toString()));
    }
    return dir.resolve("tiny/model");
  }

  private static void readDigits(double[][] rows, int[] labels) throws IOException {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        Files.newInputStream(TestData.digits())), StandardCharsets.UTF_8))) {
      for (int i = 0; i < rows.length; i++) {
        List<String> fields = Arrays.asList(in.readLine().split(","));
        rows[i] = fields.subList(0, 64).stream().mapToDouble(Double::parseDouble).toArray();
        labels[i] = Integer.parseInt(fields.get(64).trim());
      }
    }
  }
}
