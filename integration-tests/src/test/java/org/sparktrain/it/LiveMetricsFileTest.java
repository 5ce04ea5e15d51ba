package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.it.fixtures.S3Server;
import org.sparktrain.it.fixtures.SharedHdfs;

/**
 * metrics.jsonl is live, as the README promises for {@code tail -f}: every round's line is in
 * the file, for another process to read, as soon as the round is written, on the local file
 * system (where Hadoop's checksummed file system used to hold it back until the run ended),
 * on HDFS, and on S3 (whole-object rewrites, since S3 cannot append).
 */
class LiveMetricsFileTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";

  @TempDir
  Path dir;

  @Test
  void anotherProcessReadsEachRoundWhileTheCommandLineTrains() throws Exception {
    String data = ItSpecs.blobs(dir, 2000).toUri().toString();
    Path out = dir.resolve("run");
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(spec, ItSpecs.yaml(data, out.toUri().toString(), 3, "{everyRounds: 50}")
        + "eval: {validateEveryRounds: 1}\n");
    Process child = ChildJvm.start(dir, List.of(), Map.of(), dir.resolve("stdout.txt"),
        dir.resolve("stderr.txt"), MAIN, "train", spec.toString());
    Path metrics = out.resolve(RunDirectory.METRICS);
    // Line counts seen while the run was still going; a file read whole from another process.
    TreeSet<Integer> seenWhileRunning = new TreeSet<>();
    while (child.isAlive()) {
      if (Files.exists(metrics)) {
        String text = Files.readString(metrics, StandardCharsets.UTF_8);
        int lines = (int) text.chars().filter(c -> c == '\n').count();
        if (child.isAlive() && lines > 0) {
          seenWhileRunning.add(lines);
        }
      }
      Thread.sleep(10);
    }
    assertThat(child.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(Files.readString(dir.resolve("stderr.txt"))).isZero();
    int total = Files.readAllLines(metrics).size();
    assertThat(total).isGreaterThan(20);
    // The first rounds were readable one by one, not in the 4 KB blocks (about 20 lines) the
    // checksummed file system wrote them in, nor only at the end.
    assertThat(seenWhileRunning).isNotEmpty();
    assertThat(seenWhileRunning.first()).isLessThanOrEqualTo(3);
    assertThat(seenWhileRunning.size()).isGreaterThan(total / 4);
  }

  @Test
  void eachLineIsVisibleOnHdfsToAnotherClientBeforeTheRunEnds() throws IOException {
    SharedHdfs hdfs = SharedHdfs.shared();
    String root = hdfs.uri() + "/tests/LiveMetricsFileTest/run";
    try (FileSystem reader = FileSystem.newInstance(hdfs.uri(), hdfs.configuration())) {
      assertLinesVisibleWhileWriting(root, hdfs.configuration(), reader);
    }
  }

  @Test
  void eachLineReachesS3WhenTheRunWritesItAndTheObjectIsWholeAtTheEnd() throws IOException {
    S3Server s3 = S3Server.shared();
    Configuration conf = s3.hadoopConf(new Configuration());
    String root = s3.s3aRoot() + "/tests/LiveMetricsFileTest/run";
    org.apache.hadoop.fs.Path rootPath = new org.apache.hadoop.fs.Path(root);
    try (FileSystem reader = FileSystem.newInstance(rootPath.toUri(), conf)) {
      // The first line goes out at once; later ones at most every 10 s (not waited for here).
      try (RunDirectory run = new RunDirectory(root, conf)) {
        run.appendMetrics("{\"round\": 1}");
        assertThat(read(reader, run)).isEqualTo("{\"round\": 1}\n");
        run.appendMetrics("{\"round\": 2}");
      }
      assertThat(read(reader, new RunDirectory(root, conf)))
          .isEqualTo("{\"round\": 1}\n{\"round\": 2}\n");
    }
  }

  private static void assertLinesVisibleWhileWriting(String root, Configuration conf,
      FileSystem reader) throws IOException {
    try (RunDirectory run = new RunDirectory(root, conf)) {
      List<String> written = new ArrayList<>();
      for (int round = 1; round <= 5; round++) {
        String line = "{\"round\": " + round + ", \"loss\": 0.5}";
        run.appendMetrics(line);
        written.add(line);
        assertThat(read(reader, run)).isEqualTo(String.join("\n", written) + "\n");
      }
    }
  }

  private static String read(FileSystem reader, RunDirectory run) throws IOException {
    try (InputStream in = reader.open(run.path(RunDirectory.METRICS))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
