package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparktrain.it.fixtures.S3Server;
import org.sparktrain.it.fixtures.SharedHdfs;

/** Smoke test of the shared storage fixtures through Hadoop's FileSystem API. */
class StorageFixturesTest {
  private static final String ROOT = "/tests/" + StorageFixturesTest.class.getSimpleName();

  private static void write(FileSystem fs, Path p, String text) throws IOException {
    try (FSDataOutputStream out = fs.create(p, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String read(FileSystem fs, Path p) throws IOException {
    try (FSDataInputStream in = fs.open(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String[] names(FileStatus[] statuses) {
    return Arrays.stream(statuses).map(s -> s.getPath().getName()).toArray(String[]::new);
  }

  @Test
  void hdfsWriteReadListRename() throws IOException {
    SharedHdfs hdfs = SharedHdfs.shared();
    assertThat(hdfs.uri().toString()).startsWith("hdfs://127.0.0.1:");
    FileSystem fs = FileSystem.get(hdfs.uri(), hdfs.configuration());
    Path dir = new Path(hdfs.uri().toString() + ROOT);
    fs.delete(dir, true);
    write(fs, new Path(dir, "a.txt"), "hello hdfs");
    assertThat(read(fs, new Path(dir, "a.txt"))).isEqualTo("hello hdfs");
    assertThat(fs.rename(new Path(dir, "a.txt"), new Path(dir, "b.txt"))).isTrue();
    assertThat(names(fs.listStatus(dir))).containsExactly("b.txt");
    assertThat(fs.getFileStatus(new Path(dir, "b.txt")).getLen()).isEqualTo(10);
  }

  @Test
  void s3aWriteReadListRenameAndSurviveAnOutage() throws Exception {
    S3Server s3 = S3Server.shared();
    Configuration conf = s3.hadoopConf(new Configuration());
    // newInstance: the outage below leaves no broken client in the JVM-wide cache.
    try (FileSystem fs = FileSystem.newInstance(new Path(s3.s3aRoot()).toUri(), conf)) {
      Path dir = new Path(s3.s3aRoot() + ROOT);
      fs.delete(dir, true);
      write(fs, new Path(dir, "a.txt"), "hello s3");
      assertThat(read(fs, new Path(dir, "a.txt"))).isEqualTo("hello s3");

      // Rename is copy + delete on S3.
      assertThat(fs.rename(new Path(dir, "a.txt"), new Path(dir, "b.txt"))).isTrue();
      assertThat(fs.exists(new Path(dir, "a.txt"))).isFalse();
      assertThat(names(fs.listStatus(dir))).containsExactly("b.txt");
      assertThat(read(fs, new Path(dir, "b.txt"))).isEqualTo("hello s3");

      s3.stop();
      System.err.println("S3Server stop took " + s3.lastStopMillis() + " ms");
      try {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> write(fs, new Path(dir, "during-outage.txt"), "lost"))
            .isInstanceOf(IOException.class);
        System.err.println("S3 write failed after " + (System.nanoTime() - t0) / 1_000_000
            + " ms of outage");
      } finally {
        s3.start();
      }
      System.err.println("S3Server restart took " + s3.lastStartMillis() + " ms");

      write(fs, new Path(dir, "c.txt"), "after outage");
      assertThat(read(fs, new Path(dir, "c.txt"))).isEqualTo("after outage");
      assertThat(read(fs, new Path(dir, "b.txt"))).isEqualTo("hello s3");
      assertThat(names(fs.listStatus(dir))).containsExactlyInAnyOrder("b.txt", "c.txt");
    }
  }

  @Test
  void sparkConfCarriesTheSameKeysPrefixed() {
    S3Server s3 = S3Server.shared();
    SparkConf conf = s3.sparkConf(new SparkConf(false));
    assertThat(conf.get("spark.hadoop.fs.s3a.endpoint")).isEqualTo(s3.endpoint());
    assertThat(conf.get("spark.hadoop.fs.s3a.change.detection.mode")).isEqualTo("client");
    assertThat(conf.get("spark.hadoop.fs.s3a.access.key")).isEqualTo(s3.accessKey());
  }
}
