package org.sparktrain.worker.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Configurations survive DL4J's JSON and ModelSerializer: custom SameDiff layers whose fields
 * are not read back restore with zero sizes (see STACK.md, "Deeplearning4j traps").
 */
class TransformerSerializationTest {
  private static final TransformerShape SHAPE = new TransformerShape(6, 5, 2, 8, 2);

  static Stream<Arguments> configurations() {
    return Stream.of(
        Arguments.of("gpt", TransformerNetworks.gpt(SHAPE, new Adam(1e-2), 1)),
        Arguments.of("bert", TransformerNetworks.bert(SHAPE, new Adam(1e-2), 1)),
        Arguments.of("bertClassifier",
            TransformerNetworks.bertClassifier(SHAPE, 3, new Adam(1e-2), 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void jsonRoundTripGivesAnEqualConfigurationAndTheSameOutputs(String name,
      MultiLayerConfiguration conf) {
    String json = conf.toJson();
    MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(json);

    assertThat(restored).isEqualTo(conf);
    assertThat(restored.toJson()).isEqualTo(json);
    assertThat(json).contains("\"blockSize\" : 5", "\"heads\" : 2", "\"width\" : 8",
        "\"causal\" : " + name.equals("gpt"));

    MultiLayerNetwork original = new MultiLayerNetwork(conf);
    original.init();
    MultiLayerNetwork copy = new MultiLayerNetwork(restored);
    copy.init(original.params().dup(), false);
    INDArray tokens = TinyNetworks.tokens(2, SHAPE.blockSize(), SHAPE.vocabSize(), 3,
        DataType.FLOAT);
    assertThat(TinyNetworks.exactly(copy.output(tokens)))
        .containsExactly(TinyNetworks.exactly(original.output(tokens)));
  }

  @Test
  void modelSerializerRestoresATrainedGptExactly() throws IOException {
    MultiLayerNetwork net = new MultiLayerNetwork(
        TransformerNetworks.gpt(SHAPE, new Adam(1e-2), 1));
    net.init();
    DataSet batch = new DataSet(
        TinyNetworks.tokens(4, SHAPE.blockSize(), SHAPE.vocabSize(), 5, DataType.FLOAT),
        TinyNetworks.tokens(4, SHAPE.blockSize(), SHAPE.vocabSize(), 6, DataType.FLOAT));
    net.fit(batch);
    net.fit(batch);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelSerializer.writeModel(net, bytes, true);
    MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(
        new ByteArrayInputStream(bytes.toByteArray()), true);

    assertThat(TinyNetworks.exactly(restored.params()))
        .containsExactly(TinyNetworks.exactly(net.params()));
    assertThat(TinyNetworks.exactly(restored.getUpdater().getStateViewArray()))
        .containsExactly(TinyNetworks.exactly(net.getUpdater().getStateViewArray()));
    assertThat(TinyNetworks.exactly(restored.output(batch.getFeatures())))
        .containsExactly(TinyNetworks.exactly(net.output(batch.getFeatures())));
    // Training goes on identically: sizes, optimizer state and step count all came back.
    net.fit(batch);
    restored.fit(batch);
    assertThat(TinyNetworks.exactly(restored.params()))
        .containsExactly(TinyNetworks.exactly(net.params()));
  }
}
