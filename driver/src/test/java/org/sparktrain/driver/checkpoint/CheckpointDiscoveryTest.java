package org.sparktrain.driver.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.train.state.Rollbacks;
import org.sparktrain.driver.train.state.SliceWriter.WrittenFile;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * Checkpoints are found by their manifests on an object store (one flat listing) and by their
 * folders elsewhere; both find the same ones. A manifest is committed only where none is.
 */
class CheckpointDiscoveryTest {
  @TempDir
  Path dir;

  private CheckpointStore store(Boolean flatListing) throws IOException {
    return new CheckpointStore(dir.toUri().toString(), new Configuration(), flatListing);
  }

  private static CheckpointContent content(long round, List<WrittenFile> workerFiles) {
    float[] params = new float[100];
    params[0] = round;
    return new CheckpointContent(round, new ModelSnapshot(params, new float[][] {params}, round,
        0), "{}", Normalizer.identity(2), "data: {uri: x}\n", List.of(), 10 * round, 1.5,
        1_700_000_000_000L, null, workerFiles, null, null, Rollbacks.NONE);
  }

  /** What a listing says of each checkpoint, comparable between the two ways of listing. */
  private static List<String> described(List<CheckpointInfo> infos) {
    return infos.stream().map(i -> i.round() + " " + i.valid() + " " + i.problem()).toList();
  }

  @Test
  void theFlatListingFindsWhatTheFolderListingFinds() throws IOException {
    CheckpointStore writer = store(false);
    for (long round = 1; round <= 5; round++) {
      writer.write(content(round, List.of()));
    }
    Path checkpoints = dir.resolve("checkpoints");
    Files.delete(checkpoints.resolve("round-000005/_MANIFEST.json")); // a write cut short
    Files.delete(checkpoints.resolve("round-000002/params.bin"));
    Files.writeString(checkpoints.resolve("round-000003/_MANIFEST.json"), "{\"files\": [");
    // Things that are not checkpoints: a file beside the folders, a folder of another name, a
    // round-like folder one level down.
    Files.writeString(checkpoints.resolve("notes.txt"), "x");
    Files.createDirectories(checkpoints.resolve("other"));
    Files.writeString(checkpoints.resolve("other/_MANIFEST.json"), "{}");
    Files.createDirectories(checkpoints.resolve("round-000004/round-000009"));
    Files.writeString(checkpoints.resolve("round-000004/round-000009/_MANIFEST.json"), "{}");

    CheckpointStore byFolders = store(false);
    CheckpointStore byManifests = store(true);
    List<CheckpointInfo> found = byManifests.listByManifest();
    assertThat(described(found)).isEqualTo(described(byFolders.listByManifest()));
    assertThat(found).extracting(CheckpointInfo::round).containsExactly(5L, 4L, 3L, 2L, 1L);
    assertThat(found).extracting(CheckpointInfo::valid)
        .containsExactly(false, true, false, true, true);
    assertThat(found.get(0).problem()).isEqualTo("no _MANIFEST.json (the write did not finish)");
    assertThat(found.get(2).problem()).contains("_MANIFEST.json is not valid JSON");
    assertThat(described(byManifests.list())).isEqualTo(described(byFolders.list()));
    assertThat(byManifests.list().get(3).problem()).contains("params.bin is missing");

    List<String> warnedByFolders = new ArrayList<>();
    List<String> warnedByManifests = new ArrayList<>();
    assertThat(byFolders.latestValid(warnedByFolders::add).orElseThrow().round()).isEqualTo(4);
    assertThat(byManifests.latestValid(warnedByManifests::add).orElseThrow().round())
        .isEqualTo(4);
    assertThat(warnedByManifests).isEqualTo(warnedByFolders).hasSize(1);
  }

  @Test
  void noCheckpointsFolderIsNoCheckpoints() throws IOException {
    assertThat(store(true).listByManifest()).isEmpty();
    assertThat(store(true).latestValid(w -> { })).isEmpty();
  }

  @Test
  void aManifestIsCommittedOnlyWhereNoneIs_andARetriedCommitOfTheSameBytesPasses()
      throws IOException {
    CheckpointStore store = store(null);
    // Workers wrote the data files; the store writes the rest and commits (no folder cleared).
    CheckpointContent committed = content(5, List.of(new WrittenFile("params.part-00000.bin",
        100, "0000abcd")));
    store.write(committed);
    Path manifest = dir.resolve("checkpoints/round-000005/_MANIFEST.json");
    String first = Files.readString(manifest, StandardCharsets.UTF_8);

    store.write(committed); // an attempt whose answer was lost, tried again

    CheckpointContent another = content(5, List.of(new WrittenFile("params.part-00000.bin",
        200, "0000dcba")));
    assertThatThrownBy(() -> store.write(another))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("round-000005/_MANIFEST.json: another writer committed that "
            + "round already");
    assertThat(Files.readString(manifest, StandardCharsets.UTF_8)).isEqualTo(first)
        .contains("\"bytes\" : 100");
  }
}
