package org.sparktrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.assertj.core.data.Percentage;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.sparktrain.worker.model.transformer.TransformerNetworks;
import org.sparktrain.worker.model.transformer.TransformerShape;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * int8 weights: per-channel symmetric quantization is within half a step of every weight and
 * keeps zeros; a model file round trips an MLP, a residual CNN (a graph, with batch norm) and a
 * gpt to the quantized weights exactly, with biases and statistics untouched; and a damaged
 * file is refused naming what is wrong.
 */
class Int8ModelFileTest {
  private static final OptimizerConfig ADAM = new OptimizerConfig(OptimizerConfig.Kind.ADAM,
      1e-3, 0.9, 0.9, 0.999, 1e-8);

  @Test
  void eachChannelIsWithinHalfItsStepAndZerosStayZero() {
    Random random = new Random(3);
    long[] shape = {5, 3}; // dense [nIn, nOut]: channels are columns
    float[] w = new float[15];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextGaussian() * (1 + i % 3 * 10); // column scales 1, 11, 21
    }
    w[4] = 0f;
    Int8Tensor q = Int8Tensor.quantize(w, shape);
    float[] back = q.dequantize();

    assertThat(q.channelDim()).isEqualTo(1);
    assertThat(q.scales()).hasSize(3);
    for (int i = 0; i < w.length; i++) {
      float step = q.scales()[i % 3];
      assertThat(Math.abs(back[i] - w[i])).as("weight %d", i).isLessThanOrEqualTo(step / 2 + 1e-6f);
    }
    assertThat(back[4]).isZero();
    // The largest weight of each column is exactly representable (+-127 steps).
    for (int c = 0; c < 3; c++) {
      float max = 0;
      for (int r = 0; r < 5; r++) {
        max = Math.max(max, Math.abs(w[r * 3 + c]));
      }
      assertThat(q.scales()[c] * 127).isCloseTo(max, Percentage
          .withPercentage(1e-4));
    }
    // Filters [nOut, nIn, kH, kW]: channels are the first dimension.
    assertThat(Int8Tensor.quantize(new float[2 * 3 * 2 * 2], new long[] {2, 3, 2, 2})
        .scales()).hasSize(2);
  }

  @Test
  void mlpResNetAndGptRoundTripToTheQuantizedWeights() throws IOException {
    Network mlp = new MlpConfig(new int[] {16}, Activation.RELU, 0, false).build(8, 3, ADAM, 1)
        .newNetwork();
    Network resnet = new ResNetConfig(new int[] {6, 6, 1}, 2, 1, new int[] {2, 3}, 1)
        .build(36, 3, ADAM, 1).newNetwork();
    Network gpt = Network.wrap(initialised(TransformerNetworks.gpt(
        new TransformerShape(7, 6, 2, 16, 4), new Adam(1e-3),
        3)));
    for (Network net : new Network[] {mlp, resnet, gpt}) {
      ByteArrayOutputStream file = new ByteArrayOutputStream();
      Int8ModelFile.Stats stats = Int8ModelFile.write(net, file);
      Network back = Int8ModelFile.read(new ByteArrayInputStream(file.toByteArray()), "test");

      assertThat(stats.int8Tensors()).isPositive();
      assertThat(stats.int8Values() + stats.floatValues()).isEqualTo(net.numParams());
      assertThat(back.numParams()).isEqualTo(net.numParams());
      for (int l = 0; l < net.layerParams().size(); l++) {
        Network.LayerParams before = net.layerParams().get(l);
        Network.LayerParams after = back.layerParams().get(l);
        for (Map.Entry<String, INDArray> p : before.params().entrySet()) {
          float[] original = p.getValue().dup('c').data().asFloat();
          float[] restored = after.params().get(p.getKey()).dup('c').data().asFloat();
          float[] expected = before.isWeight(p.getKey())
              ? Int8Tensor.quantize(original, p.getValue().shape()).dequantize() : original;
          assertThat(restored).as("%s/%s", before.layer(), p.getKey()).containsExactly(expected);
        }
      }
      // Weights are most of an MLP's and a gpt's parameters, so most values become int8.
      if (net != resnet) {
        assertThat((double) stats.int8Values() / net.numParams()).isGreaterThan(0.8);
      }
    }
  }

  @Test
  void aDamagedFileIsRefusedNamingTheProblem() throws IOException {
    Network mlp = new MlpConfig(new int[] {16}, Activation.RELU, 0, false).build(8, 3, ADAM, 1)
        .newNetwork();
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    Int8ModelFile.write(mlp, file);
    byte[] raw = ungzip(file.toByteArray());

    byte[] truncated = gzip(Arrays.copyOf(raw, raw.length - 10));
    assertThatThrownBy(() -> Int8ModelFile.read(new ByteArrayInputStream(truncated), "m.int8"))
        .isInstanceOf(IOException.class).hasMessageContaining("m.int8 ends early");

    // Another network's configuration: the tensors no longer fit it.
    Network wider = new MlpConfig(new int[] {17}, Activation.RELU, 0, false)
        .build(8, 3, ADAM, 1).newNetwork();
    ByteArrayOutputStream other = new ByteArrayOutputStream();
    Int8ModelFile.write(wider, other);
    byte[] otherRaw = ungzip(other.toByteArray());
    int configEnd = 12 + ByteBuffer.wrap(otherRaw, 8, 4).getInt();
    int ourConfigEnd = 12 + ByteBuffer.wrap(raw, 8, 4).getInt();
    byte[] spliced = new byte[configEnd + raw.length - ourConfigEnd];
    System.arraycopy(otherRaw, 0, spliced, 0, configEnd);
    System.arraycopy(raw, ourConfigEnd, spliced, configEnd, raw.length - ourConfigEnd);
    assertThatThrownBy(() -> Int8ModelFile.read(new ByteArrayInputStream(gzip(spliced)), "m"))
        .isInstanceOf(IOException.class).hasMessageContaining("expected tensor 0/W of shape "
            + "[8, 17]").hasMessageContaining("of shape [8, 16]");

    assertThatThrownBy(() -> Int8ModelFile.read(new ByteArrayInputStream(gzip(new byte[16])),
        "zeros")).hasMessageContaining("zeros is not a sparktrain int8 model");
  }

  private static MultiLayerNetwork initialised(
      MultiLayerConfiguration conf) {
    var net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static byte[] ungzip(byte[] gz) throws IOException {
    return new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes();
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var zip = new GZIPOutputStream(out)) {
      zip.write(raw);
    }
    return out.toByteArray();
  }

  static {
    Nd4j.getRandom().setSeed(1);
  }
}
