package org.sparktrain.driver.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.worker.model.Network;

/** The shipped examples do what the README says they do. */
class ExampleQualityTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void digitsExampleReachesTheAccuracyBarOnLocal2() throws IOException {
    JobSpec spec = JobSpecParser.parseFile(Path.of("../examples/digits.yaml"))
        .withOutputDir(dir.resolve("run").toUri().toString());
    TrainJob.Result result = TrainJob.run(sc, spec, false);

    Map<String, Object> test = (Map<String, Object>) result.summary().get("test");
    assertThat((Double) test.get("accuracy")).isGreaterThanOrEqualTo(0.95);
    Path run = dir.resolve("run");
    for (String file : new String[] {RunDirectory.SPEC, RunDirectory.METRICS,
        RunDirectory.SUMMARY, "model/model.zip", "model/preprocessing.json"}) {
      assertThat(run.resolve(file)).exists();
    }
    long rounds = Files.lines(run.resolve(RunDirectory.METRICS)).count();
    assertThat(rounds).isEqualTo(result.model().history().size());
    Map<String, Object> records = (Map<String, Object>) result.summary().get("records");
    assertThat(records.get("read")).isEqualTo(1797L);
    assertThat(records.get("dropped")).isEqualTo(0L);
    // The resolved spec written to the run directory parses back to the same spec.
    assertThat(JobSpecParser.parseFile(run.resolve(RunDirectory.SPEC)).toMap())
        .isEqualTo(spec.toMap());
  }

  @Test
  void logisticExampleMovesItsPredictionsTowardTheLabels() throws IOException {
    JobSpec spec = JobSpecParser.parseFile(Path.of("../examples/logistic.yaml"));
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    TrainingLoop loop = new TrainingLoop(sc, spec, data);
    float[][] x = {{0.1f, 0.2f, 0.3f}, {0.4f, 0.5f, 0.6f}};
    float[] y = {0, 1};

    Network initial = spec.model().build(3, 2, spec.train().optimizer(), spec.train().seed())
        .newNetwork();
    initial.params().assign(Nd4j.createFromArray(loop.initialSnapshot().params()));
    float[] before = initial.output(Nd4j.createFromArray(x)).toFloatVector();
    float[] after = loop.run((m, s) -> { }).network().output(Nd4j.createFromArray(x))
        .toFloatVector();

    for (int i = 0; i < 2; i++) {
      assertThat(Math.abs(after[i] - y[i])).as("example %d: before %s after %s", i, before[i],
          after[i]).isLessThan(Math.abs(before[i] - y[i]));
    }
    assertThat(after[0]).isLessThan(0.5f);
    assertThat(after[1]).isGreaterThan(0.5f);
    data.release();
  }
}
