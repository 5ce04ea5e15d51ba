package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.driver.output.RoundMetrics;

/** The residual CNN, a computation graph, through the whole engine on local[2]. */
class ResNetTrainingTest {
  @TempDir
  Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void aShortDistributedRunWithAugmentationLowersTheLossAndSavesTheGraph() throws IOException {
    // The 8x8 digits as square grey images, shifted by up to a pixel half the time.
    TrainJob.Result result = TrainJob.run(SharedSpark.context(), JobSpecParser.parse("""
        data: {uri: '%s', format: csv, labelColumn: -1, numClasses: 10,
               split: {train: 0.8, validation: 0.1, test: 0.1}}
        preprocess: {normalize: scale, augmentation: {shiftPixels: 1, pShift: 0.5}}
        model: {name: resnet, stemWidth: 8, widths: [8, 16], blocksPerStage: 1}
        train: {epochs: 4, batchSize: 32, workers: 2, averagingFrequency: 5,
                optimizer: {name: adam, learningRate: 0.01}, threadsPerWorker: 1}
        output: {dir: '%s'}
        """.formatted(TestData.digits(), dir.resolve("run")), null), false);

    List<RoundMetrics> history = result.model().history();
    assertThat(history.get(history.size() - 1).loss())
        .isLessThan(history.get(0).loss() * 0.5);
    Map<String, Object> test = (Map<String, Object>) result.summary().get("test");
    assertThat((Double) test.get("accuracy")).isGreaterThan(0.8);

    // model.zip holds a graph; loaded back, it predicts exactly as the trained network.
    ModelBundle saved = ModelBundle.load(dir.resolve("run/model").toString(),
        new Configuration());
    assertThat(saved.network().isGraph()).isTrue();
    INDArray x = Nd4j.rand(DataType.FLOAT, 5, 64);
    // Exactly: INDArray.equals would forgive differences up to 1e-5.
    INDArray expected = result.model().network().output(x);
    INDArray actual = saved.network().output(x);
    assertThat(actual.shape()).containsExactly(expected.shape());
    assertThat(actual.dup('c').data().asFloat())
        .containsExactly(expected.dup('c').data().asFloat());
  }
}
