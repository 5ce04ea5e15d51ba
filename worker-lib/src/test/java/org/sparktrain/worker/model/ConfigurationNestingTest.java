package org.sparktrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.sparktrain.worker.json.BoundedJson;
import org.sparktrain.worker.model.transformer.TransformerNetworks;
import org.sparktrain.worker.model.transformer.TransformerShape;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * A DL4J configuration nested deeper than any sparktrain writes is refused by a walk that does
 * not recurse, before DL4J's parser (which does) sees it; every configuration sparktrain builds
 * stays well inside the bound.
 */
class ConfigurationNestingTest {
  private static final OptimizerConfig ADAM = new OptimizerConfig(OptimizerConfig.Kind.ADAM,
      1e-3, 0.9, 0.9, 0.999, 1e-8);

  static String deepConfiguration(int levels) {
    return "{\"confs\":" + "[".repeat(levels) + "]".repeat(levels) + "}";
  }

  static byte[] zipOf(String configuration) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(ModelZip.CONFIGURATION));
      zip.write(configuration.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  @Test
  void aConfigurationNestedAHundredThousandLevelsIsRefusedNamingTheFile() throws IOException {
    byte[] zip = zipOf(deepConfiguration(100_000));
    assertThatThrownBy(() -> Network.restore(new ByteArrayInputStream(zip), "m/model.zip"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("m/model.zip: configuration.json is refused: it nests deeper "
            + "than 64 levels");
  }

  @Test
  void theDl4jParserIsNeverReachedWithADeepConfiguration() {
    assertThatThrownBy(() -> NetworkConfig.fromJson(deepConfiguration(100_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nests deeper than 64 levels");
  }

  @Test
  void everyConfigurationSparktrainBuildsIsWellWithinTheBounds() {
    String[] configurations = {
        new MlpConfig(new int[] {16, 8}, Activation.RELU, 0.1, false).build(8, 3, ADAM, 1)
            .toJson(),
        new ResNetConfig(new int[] {6, 6, 1}, 2, 1, new int[] {2, 3}, 1).build(36, 3, ADAM, 1)
            .toJson(),
        TransformerNetworks.gpt(new TransformerShape(7, 6, 2, 16, 4), new Adam(1e-3), 3)
            .toJson(),
        TransformerNetworks.bertClassifier(new TransformerShape(7, 6, 2, 16, 4), 3,
            new Adam(1e-3), 3).toJson()};
    BoundedJson.Limits half = new BoundedJson.Limits(NetworkConfig.LIMITS.maxDepth() / 2,
        NetworkConfig.LIMITS.maxStringChars() / 2, NetworkConfig.LIMITS.maxNumberChars() / 2);
    for (String json : configurations) {
      BoundedJson.check(json, half);
      assertThat(NetworkConfig.fromJson(json).toJson()).isEqualTo(json);
    }
  }
}
