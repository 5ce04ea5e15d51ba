package org.sparktrain.driver.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * A model folder's side files from anyone: preprocessing.json and tokenizer.json too large, too
 * deep or malformed are refused with a message naming the file, before they are read whole.
 */
class ModelFileLimitsTest {
  private static final OptimizerConfig ADAM = new OptimizerConfig(OptimizerConfig.Kind.ADAM,
      1e-3, 0.9, 0.9, 0.999, 1e-8);
  @TempDir
  Path dir;
  private Path model;

  @BeforeEach
  void saveAModel() throws IOException {
    model = dir.resolve("model");
    new ModelBundle(new MlpConfig(new int[] {4}, Activation.RELU, 0, false)
        .build(3, 2, ADAM, 1).newNetwork(), Normalizer.identity(3), "mlp", true, 2)
        .save(model.toString(), new Configuration());
  }

  /** Replaces a file of the model, and Hadoop's checksum of the old one. */
  private void replace(String name, String content) throws IOException {
    Files.writeString(model.resolve(name), content);
    Files.deleteIfExists(model.resolve("." + name + ".crc"));
  }

  private ModelBundle load() throws IOException {
    return ModelBundle.load(model.toString(), new Configuration());
  }

  @Test
  void aDeepPreprocessingFileIsRefusedNamingTheFile() throws IOException {
    replace("preprocessing.json", "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000));
    assertThatThrownBy(this::load).isInstanceOf(IOException.class)
        .hasMessageContaining(model.resolve("preprocessing.json") + " is not a readable "
            + "preprocessing file")
        .hasMessageContaining("nesting depth");
  }

  @Test
  void aPreprocessingFileWithoutItsKeysIsRefusedNamingTheFileAndKey() throws IOException {
    replace("preprocessing.json", "{\"model\": \"mlp\"}");
    assertThatThrownBy(this::load).isInstanceOf(IOException.class)
        .hasMessageContaining(model.resolve("preprocessing.json") + " is not a valid "
            + "preprocessing file: 'normalize' must be a string");
  }

  @Test
  void aHugeTokenizerFileIsRefusedByItsSizeBeforeReading() throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(model.resolve("tokenizer.json").toFile(),
        "rw")) {
      file.setLength(10L << 30); // sparse: 10 GB that were never written, nor will be read
    }
    long start = System.nanoTime();
    assertThatThrownBy(this::load).isInstanceOf(IOException.class)
        .hasMessageContaining(model.resolve("tokenizer.json") + " is 10737418240 bytes; a "
            + "tokenizer file is at most 67108864");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
  }

  @Test
  void aDeepTokenizerFileIsRefusedAtTheFirstLevelTooDeep() throws IOException {
    replace("tokenizer.json", "[".repeat(60 << 20));
    assertThatThrownBy(this::load).isInstanceOf(IOException.class)
        .hasMessageContaining(model.resolve("tokenizer.json") + " is not a readable tokenizer "
            + "file: it nests deeper than 8 levels (line 1, column 9)");
  }
}
