package org.sparktrain.driver.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.ModelSnapshot;

class CheckpointStoreTest {
  @TempDir
  Path dir;

  private CheckpointStore store() throws IOException {
    return new CheckpointStore(dir.toUri().toString(), new Configuration());
  }

  private static CheckpointContent content(long round) {
    float[] params = new float[1000];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) Math.sin(i + round) * 1e-3f;
    }
    RoundMetrics m = new RoundMetrics(round, 1, 0.123456789, 64, 12.5, 10, 2.5, 0.5, 4096,
        Map.of("accuracy", 0.5 + round / 100.0));
    return new CheckpointContent(round, new ModelSnapshot(params,
        new float[][] {{1f, Float.MIN_VALUE}, {-0f, 3f}}, 40 + round, 1),
        "{\"config\":true}", new Normalizer(NormalizationMethod.STANDARDIZE,
        new float[] {0.1f, 0.2f}, new float[] {1 / 3f, 7f}), "data: {uri: x}\n",
        List.of(m), 640, 12.75, 1_700_000_000_000L);
  }

  @Test
  void roundTripsExactly() throws IOException {
    CheckpointContent written = content(7);
    store().write(written);
    CheckpointContent read = store().load(7);
    assertThat(read.snapshot().params()).containsExactly(written.snapshot().params());
    assertThat(read.snapshot().optimizerStates()[0]).containsExactly(1f, Float.MIN_VALUE);
    assertThat(read.snapshot().optimizerStates()[1]).containsExactly(-0f, 3f);
    assertThat(read.snapshot().iteration()).isEqualTo(47);
    assertThat(read.normalizer().scale()).containsExactly(1 / 3f, 7f);
    assertThat(read.history()).isEqualTo(written.history());
    assertThat(read.specYaml()).isEqualTo(written.specYaml());
    assertThat(read.modelConfigJson()).isEqualTo(written.modelConfigJson());
    assertThat(read.trainSeconds()).isEqualTo(12.75);
    assertThat(Files.list(dir.resolve("checkpoints/round-000007")).map(p -> p.getFileName()
        .toString()).filter(n -> !n.endsWith(".crc")).sorted().toList()).containsExactly("_MANIFEST.json",
        "model-config.json", "optimizer-state.bin", "params.bin", "training-state.json");
  }

  private List<String> warnings(CheckpointStore store, long expectRound) throws IOException {
    List<String> warnings = new ArrayList<>();
    assertThat(store.latestValid(warnings::add).orElseThrow().round()).isEqualTo(expectRound);
    return warnings;
  }

  @Test
  void missingManifestMeansTheCheckpointDoesNotExist() throws IOException {
    CheckpointStore store = store();
    store.write(content(1));
    store.write(content(2));
    Files.delete(dir.resolve("checkpoints/round-000002/_MANIFEST.json"));
    assertThat(warnings(store, 1)).singleElement().asString()
        .contains("round-000002").contains("no _MANIFEST.json");
  }

  @Test
  void truncatedFileIsDetectedAndSkipped() throws IOException {
    CheckpointStore store = store();
    store.write(content(1));
    store.write(content(2));
    Path params = dir.resolve("checkpoints/round-000002/params.bin");
    try (RandomAccessFile f = new RandomAccessFile(params.toFile(), "rw")) {
      f.setLength(f.length() - 10);
    }
    assertThat(warnings(store, 1)).singleElement().asString()
        .contains("round-000002/params.bin").contains("truncated");
  }

  /**
   * Checkpoints written before CRC32C replaced SHA-256 in the manifest still load, and their
   * SHA-256 is still checked.
   */
  @Test
  void aManifestWithTheOlderSha256DigestsStillLoadsAndIsChecked() throws Exception {
    CheckpointStore store = store();
    store.write(content(1));
    Path round = dir.resolve("checkpoints/round-000001");
    Path manifest = round.resolve("_MANIFEST.json");
    ObjectNode json =
        (ObjectNode) Json.MAPPER
            .readTree(manifest.toFile());
    for (JsonNode entry : json.get("files")) {
      ObjectNode e =
          (ObjectNode) entry;
      assertThat(e.path("crc32c").asText()).matches("[0-9a-f]{8}");
      e.remove("crc32c");
      e.put("sha256", HexFormat.of().formatHex(MessageDigest
          .getInstance("SHA-256").digest(Files.readAllBytes(round.resolve(e.get("name")
              .asText())))));
    }
    Files.writeString(manifest, Json.pretty(json));
    Files.deleteIfExists(round.resolve("._MANIFEST.json.crc"));
    assertThat(store.load(1).snapshot().params()).containsExactly(
        content(1).snapshot().params());

    Path params = round.resolve("params.bin");
    byte[] bytes = Files.readAllBytes(params);
    bytes[bytes.length - 1] ^= 0x01;
    Files.write(params, bytes);
    Files.deleteIfExists(round.resolve(".params.bin.crc"));
    assertThatThrownBy(() -> store.load(1)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("does not match its SHA-256");
  }

  @Test
  void flippedByteIsDetectedAndSkipped() throws IOException {
    CheckpointStore store = store();
    store.write(content(1));
    store.write(content(2));
    Path state = dir.resolve("checkpoints/round-000002/optimizer-state.bin");
    byte[] bytes = Files.readAllBytes(state);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(state, bytes);
    assertThat(warnings(store, 1)).singleElement().asString()
        .contains("optimizer-state.bin").containsAnyOf("CRC32C", "corrupted");
    assertThatThrownBy(() -> store.load(2)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("is not valid");
  }

  @Test
  void listShowsValidityAndMetricsNewestFirst() throws IOException {
    CheckpointStore store = store();
    store.write(content(3));
    store.write(content(10));
    Files.writeString(dir.resolve("checkpoints/round-000010/training-state.json"), "{}");
    List<CheckpointInfo> infos = store.list();
    assertThat(infos).extracting(CheckpointInfo::round).containsExactly(10L, 3L);
    assertThat(infos.get(0).valid()).isFalse();
    assertThat(infos.get(1).valid()).isTrue();
    assertThat(infos.get(1).metrics()).containsEntry("accuracy", 0.53);
    assertThat(infos.get(1).bytes()).isGreaterThan(4000);
  }

  @Test
  void noCheckpointsIsEmpty() throws IOException {
    assertThat(store().latestValid(w -> { }).isEmpty()).isTrue();
    assertThat(store().list()).isEmpty();
  }

  /** Replaces a file of round 2 and rewrites the manifest to vouch for the new bytes. */
  private void forge(String name, byte[] content, String listedAs) throws IOException {
    TestData.forgeCheckpointFile(
        dir.resolve("checkpoints/round-000002"), name, listedAs, content);
  }

  @Test
  void aManifestNamingAFileOutsideItsFolder_isSkipped() throws IOException {
    CheckpointStore store = store();
    store.write(content(1));
    store.write(content(2));
    Files.writeString(dir.resolve("secret.txt"), "not yours");
    forge(CheckpointFiles.MODEL_CONFIG, "x".getBytes(), "../../secret.txt");
    assertThat(warnings(store, 1)).singleElement().asString()
        .contains("lists '../../secret.txt', not a file a checkpoint holds");
  }

  @Test
  void anArrayLengthBeyondItsFile_isRefusedBeforeAllocating() throws IOException {
    CheckpointStore store = store();
    store.write(content(1));
    store.write(content(2));
    // Claims two billion floats (8 GB) in an 8-byte file.
    byte[] params = ByteBuffer.allocate(8).putInt(2_000_000_000).putFloat(1f).array();
    forge(CheckpointFiles.PARAMS, params, CheckpointFiles.PARAMS);
    assertThat(warnings(store, 1)).singleElement().asString()
        .contains("params.bin: array length 2000000000 is impossible in a file of its size");
  }

  @Test
  void aTrainingStateThatDoesNotParse_fallsBackToThePreviousCheckpoint() throws IOException {
    CheckpointStore store = store();
    store.write(content(1));
    store.write(content(2));
    forge(CheckpointFiles.TRAINING_STATE, "{\"round\": 2}".getBytes(),
        CheckpointFiles.TRAINING_STATE);
    assertThat(warnings(store, 1)).singleElement().asString()
        .contains("round-000002").contains("its content cannot be read");
  }
}
