package org.sparktrain.driver.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.ModelConfig;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkConfig;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.MinibatchAssembler;
import org.sparktrain.worker.train.NativeArrays;

/**
 * {@code model: {name: dl4j, configuration: ...}}: a Deeplearning4j user's own configuration,
 * built here with DL4J's builders, trains with sparktrain's engine exactly as DL4J's own fit
 * does (one worker), for a layer stack and for a computation graph.
 */
class Dl4jModelTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private static MultiLayerConfiguration mlp(int inputs, int classes) {
    return new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(0.01))
        .weightInit(WeightInit.XAVIER).list()
        .layer(new DenseLayer.Builder().nIn(inputs).nOut(16).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .activation(Activation.SOFTMAX).nIn(16).nOut(classes).build())
        .build();
  }

  /** A small CNN as a graph, reading 8x8 digits as flat rows. */
  private static ComputationGraphConfiguration cnn() {
    return new NeuralNetConfiguration.Builder().seed(11).updater(new Adam(0.005))
        .graphBuilder().addInputs("pixels")
        .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4)
            .activation(Activation.RELU).build(), "pixels")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .activation(Activation.SOFTMAX).nOut(10).build(), "conv")
        .setOutputs("out").setInputTypes(InputType.convolutionalFlat(8, 8, 1)).build();
  }

  private JobSpec spec(String data, String configurationJson, int epochs) throws IOException {
    Path conf = TestData.write(dir, "network.json", configurationJson);
    return JobSpecParser.parse("data: " + data + "\npreprocess: {normalize: none}\n"
        + "model: {name: dl4j, configuration: '" + conf + "'}\n"
        + "train: {epochs: " + epochs + ", batchSize: 16, workers: 1, averagingFrequency: 4, "
        + "seed: 3}\n", null);
  }

  /** Trains the spec with sparktrain and with DL4J's own fit on the same minibatches. */
  private static void assertEqualsPlainFit(JavaSparkContext sc, JobSpec spec, String json)
      throws IOException {
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    try {
      TrainingLoop loop = new TrainingLoop(sc, spec, data);
      float[] trained = NativeArrays.toFloats(loop.run((m, s) -> { }).network().params());

      Network reference = NetworkConfig.fromJson(json).newNetwork();
      ExampleBlock shard = data.train().collect().get(0);
      EpochSchedule schedule = loop.settings().schedule();
      MinibatchAssembler assembler = new MinibatchAssembler(true, data.numClasses());
      for (int epoch = 0; epoch < spec.train().epochs(); epoch++) {
        int[] order = schedule.permutation(epoch, 0, shard.rows());
        for (int step = 0; step < schedule.stepsPerEpoch(); step++) {
          reference.fit(assembler.assemble(shard, order, schedule.batchStart(step),
              schedule.batchEnd(step, shard.rows())));
        }
      }
      float[] expected = NativeArrays.toFloats(reference.params());
      assertThat(trained).hasSameSizeAs(expected);
      double maxDiff = 0;
      for (int i = 0; i < expected.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(trained[i] - expected[i]));
      }
      assertThat(maxDiff).isLessThanOrEqualTo(1e-6);
    } finally {
      data.release();
    }
  }

  @Test
  void aMultiLayerConfigurationTrainsAsDl4jsOwnFitDoes() throws IOException {
    Path csv = TestData.write(dir, "blobs.csv", TestData.blobsCsv(200, 5, 3, 11));
    String json = mlp(5, 3).toJson();
    JobSpec spec = spec("{uri: '" + csv + "', numClasses: 3, split: {train: 1.0, validation: 0,"
        + " test: 0}}", json, 3);
    assertThat(spec.model().kind()).isEqualTo(ModelConfig.Kind
        .CLASSES);
    assertEqualsPlainFit(sc, spec, json);
  }

  @Test
  void aComputationGraphCnnTrainsAsDl4jsOwnFitDoes() throws IOException {
    String json = cnn().toJson();
    JobSpec spec = spec("{uri: '" + TestData.digits() + "', numClasses: 10, split: {train: 1.0,"
        + " validation: 0, test: 0}}", json, 1);
    assertEqualsPlainFit(sc, spec, json);
  }

  @Test
  void aConfigurationThatDoesNotFitTheDataIsRefusedNamingBoth() throws IOException {
    Path csv = TestData.write(dir, "blobs.csv", TestData.blobsCsv(40, 5, 3, 11));
    JobSpec wrongInputs = spec("{uri: '" + csv + "', numClasses: 3}", mlp(7, 3).toJson(), 1);
    PreparedData data = DataPreparation.prepare(sc, wrongInputs,
        DataPreparation.Selection.SPEC_SPLIT);
    try {
      assertThatThrownBy(() -> new TrainingLoop(sc, wrongInputs, data))
          .hasMessageContaining("takes 7 inputs").hasMessageContaining("have 5 features");
    } finally {
      data.release();
    }
    assertThatThrownBy(() -> spec("{uri: '" + csv + "', numClasses: 3}", "{\"not\": 1}", 1))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("model.configuration")
        .hasMessageContaining("not a DL4J");
  }
}
