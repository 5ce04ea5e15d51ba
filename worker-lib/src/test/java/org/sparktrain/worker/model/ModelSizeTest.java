package org.sparktrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * The size a configuration claims, counted without building it, is what DL4J allocates; a file
 * that claims more than this JVM holds is refused before anything of that size is read, inflated
 * or built.
 */
class ModelSizeTest {
  private static final OptimizerConfig ADAM = new OptimizerConfig(OptimizerConfig.Kind.ADAM,
      1e-3, 0.9, 0.9, 0.999, 1e-8);
  private static final OptimizerConfig SGD = new OptimizerConfig(OptimizerConfig.Kind.SGD,
      0.1, 0, 0.9, 0.999, 1e-8);

  private static NetworkConfig mlp(int width, OptimizerConfig optimizer) {
    return new MlpConfig(new int[] {width}, Activation.RELU, 0, false).build(width, 3,
        optimizer, 1);
  }

  @Test
  void countsTheParametersAndOptimizerStateDl4jAllocates() {
    for (OptimizerConfig optimizer : new OptimizerConfig[] {ADAM, SGD}) {
      NetworkConfig config = mlp(12, optimizer);
      Network net = config.newNetwork();
      ModelSize size = ModelSize.of(config);
      assertThat(size.params()).isEqualTo(net.numParams());
      assertThat(size.stateValues()).isEqualTo(net.updaterState() == null ? 0
          : net.updaterState().length());
    }
    // A graph with batch normalization: its running statistics have no optimizer state, which
    // the count may include (an upper bound).
    NetworkConfig resnet = new ResNetConfig(new int[] {6, 6, 1}, 2, 1, new int[] {2, 4}, 1)
        .build(36, 3, ADAM, 7);
    Network net = resnet.newNetwork();
    ModelSize size = ModelSize.of(resnet);
    assertThat(size.params()).isEqualTo(net.numParams());
    assertThat(size.stateValues()).isBetween(net.updaterState().length(), 2 * net.numParams());
  }

  @Test
  void halfABillionParametersAreCountedInMilliseconds() {
    long start = System.nanoTime();
    ModelSize size = ModelSize.of(mlp(23_170, ADAM));
    assertThat(size.params()).isEqualTo(23_170L * 23_170 + 23_170 + 23_170 * 3 + 3);
    assertThat(size.stateValues()).isEqualTo(2 * size.params());
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(2.0);
  }

  @Test
  void anInt8FileWhoseConfigurationClaimsMoreThanThisJvmHolds_isRefusedBeforeBuildingIt()
      throws IOException {
    // 2.1 billion parameters: within what a float[] indexes, 8.5 GB as floats.
    String config = mlp(46_000, ADAM).toJson();
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(file))) {
      out.writeInt(0x53545138);
      out.writeInt(1);
      byte[] bytes = config.getBytes(StandardCharsets.UTF_8);
      out.writeInt(bytes.length);
      out.write(bytes);
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> Int8ModelFile.read(new ByteArrayInputStream(file.toByteArray()),
        "forged.int8"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("forged.int8: its configuration defines 2,116,184,003 "
            + "parameters and 4,232,368,006 optimizer state values")
        .hasMessageContaining("loading them needs about")
        .hasMessageContaining("-Xmx");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0);
  }

  @Test
  void aConfigurationBeyondWhatAFloatArrayIndexes_isRefusedWithTheAbsoluteCap() {
    ModelSize size = ModelSize.of(mlp(65_536, ADAM));
    assertThat(size.params()).isGreaterThan(ModelMemory.MAX_PARAMS);
    assertThatThrownBy(() -> ModelMemory.checkLoad(size, "big.zip"))
        .hasMessage("big.zip: its configuration defines 4,295,229,443 parameters; at most "
            + "2,147,483,639 are supported");
  }
}
