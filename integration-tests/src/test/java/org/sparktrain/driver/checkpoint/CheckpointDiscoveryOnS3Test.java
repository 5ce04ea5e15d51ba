package org.sparktrain.driver.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StorageStatistics.LongStatistic;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.train.state.Rollbacks;
import org.sparktrain.it.fixtures.S3Server;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * On S3 a run's checkpoints are found by one flat listing of their manifests, not by listing
 * the folders and asking for each manifest: counted in S3 requests against a real S3 server.
 * (In the driver's package, to compare with the folder listing the store uses elsewhere.)
 */
class CheckpointDiscoveryOnS3Test {
  private static final int CHECKPOINTS = 8;
  /** The S3A counters of requests that reach the server. */
  private static final List<String> REQUESTS = List.of("object_list_request",
      "object_continue_list_request", "object_metadata_request", "action_http_get_request");

  private interface StoreCall {
    void run() throws IOException;
  }

  private static CheckpointContent content(long round) {
    float[] params = new float[1000];
    params[0] = round;
    return new CheckpointContent(round, new ModelSnapshot(params, new float[][] {params}, round,
        0), "{}", Normalizer.identity(2), "data: {uri: x}\n", List.of(), 10 * round, 1.5,
        1_700_000_000_000L, null, List.of(), null, null, Rollbacks.NONE);
  }

  /** The S3 requests {@code call} made, by kind. */
  private static Map<String, Long> requests(FileSystem fs, StoreCall call) throws IOException {
    Map<String, Long> before = counters(fs);
    call.run();
    Map<String, Long> after = counters(fs);
    Map<String, Long> made = new LinkedHashMap<>();
    long total = 0;
    for (String name : REQUESTS) {
      long n = after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
      made.put(name, n);
      total += n;
    }
    made.put("total", total);
    return made;
  }

  private static void described(List<CheckpointInfo> infos, List<String> into) {
    for (CheckpointInfo info : infos) {
      into.add(info.round() + " " + info.valid() + " " + info.problem());
    }
  }

  private static Map<String, Long> counters(FileSystem fs) {
    Map<String, Long> counters = new LinkedHashMap<>();
    for (Iterator<LongStatistic> it = fs.getStorageStatistics().getLongStatistics();
        it.hasNext(); ) {
      LongStatistic s = it.next();
      counters.put(s.getName(), s.getValue());
    }
    return counters;
  }

  @Test
  void findingCheckpointsByTheirManifestsTakesOneListing() throws IOException {
    S3Server s3 = S3Server.shared();
    Configuration conf = s3.hadoopConf(new Configuration());
    String run = s3.s3aRoot() + "/it/discovery-" + System.nanoTime();
    CheckpointStore writer = new CheckpointStore(run, conf);
    for (long round = 0; round < CHECKPOINTS; round++) {
      writer.write(content(round));
    }
    // The newest write was cut short before its commit.
    FileSystem fs = new Path(run).getFileSystem(conf);
    fs.delete(new Path(writer.roundUri(CHECKPOINTS - 1), CheckpointFiles.MANIFEST), false);

    List<String> foundByFolders = new ArrayList<>();
    List<String> foundByManifests = new ArrayList<>();
    Map<String, Long> byFolders = requests(fs, () -> described(
        new CheckpointStore(run, conf, false).listByManifest(), foundByFolders));
    Map<String, Long> byManifests = requests(fs, () -> described(
        new CheckpointStore(run, conf, true).listByManifest(), foundByManifests));
    System.out.println("S3 requests to find " + CHECKPOINTS + " checkpoints: by folders "
        + byFolders + ", by manifests " + byManifests);
    long[] resumed = new long[1];
    Map<String, Long> resume = requests(fs, () -> resumed[0] = new CheckpointStore(run, conf)
        .latestValid(w -> { }).orElseThrow().round());
    System.out.println("S3 requests to find and load the newest valid checkpoint: " + resume);
    assertThat(resumed[0]).isEqualTo(CHECKPOINTS - 2);

    assertThat(foundByManifests).isEqualTo(foundByFolders).hasSize(CHECKPOINTS);
    assertThat(foundByManifests.get(0)).contains("no _MANIFEST.json");
    // One LIST, one GET per manifest, no HEAD; the folder listing paid a HEAD per checkpoint.
    assertThat(byManifests.get("object_list_request")).isEqualTo(1);
    assertThat(byManifests.get("object_metadata_request")).isZero();
    assertThat(byManifests.get("action_http_get_request")).isEqualTo(CHECKPOINTS - 1);
    assertThat(byManifests.get("total")).isLessThan(byFolders.get("total"));
  }
}
