package org.sparktrain.driver.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.jsonl on the local file system: each line in the file when it is appended. */
class MetricsLogTest {
  @TempDir
  Path dir;

  @Test
  void eachAppendedLineIsInTheFileAtOnce() throws Exception {
    Path run = dir.resolve("run");
    try (RunDirectory directory = new RunDirectory(run.toUri().toString(), new Configuration())) {
      directory.appendMetrics("{\"round\": 1}");
      assertThat(Files.readAllLines(run.resolve(RunDirectory.METRICS)))
          .containsExactly("{\"round\": 1}");
      directory.appendMetrics("{\"round\": 2}");
      assertThat(Files.readAllLines(run.resolve(RunDirectory.METRICS)))
          .containsExactly("{\"round\": 1}", "{\"round\": 2}");
    }
  }

  @Test
  void aFileReplacingOneWithAChecksumIsReadableThroughHadoop() throws Exception {
    Path run = dir.resolve("run");
    Configuration conf = new Configuration();
    FileSystem local = FileSystem.getLocal(conf);
    org.apache.hadoop.fs.Path metrics =
        new org.apache.hadoop.fs.Path(run.resolve(RunDirectory.METRICS).toUri());
    // An earlier run's metrics.jsonl, written with its .crc by the checksummed file system.
    try (var out = local.create(metrics, true)) {
      out.write("{\"round\": 9, \"loss\": 1.0}\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(run.resolve(".metrics.jsonl.crc")).exists();
    try (RunDirectory directory = new RunDirectory(run.toUri().toString(), conf)) {
      directory.appendMetrics("{\"round\": 1}");
      assertThat(read(local, metrics)).isEqualTo("{\"round\": 1}\n");
    }
    assertThat(read(local, metrics)).isEqualTo("{\"round\": 1}\n");
  }

  @Test
  void anObjectStoreCopyIsRewrittenAtMostOncePerIntervalAndWholeOnClose() throws Exception {
    long[] now = {0};
    FileSystem local = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.resolve("m.jsonl").toUri());
    // The object-store path is chosen for streams that cannot hflush; reached here directly.
    MetricsLog log = MetricsLog.create(new NoFlushFileSystem(local), file,
        List.of("{\"round\": 1}"), 10_000, () -> now[0]);
    assertThat(read(local, file)).isEqualTo("{\"round\": 1}\n");
    now[0] = 5_000;
    log.append("{\"round\": 2}");
    assertThat(read(local, file)).isEqualTo("{\"round\": 1}\n");
    now[0] = 10_001;
    log.append("{\"round\": 3}");
    assertThat(read(local, file)).isEqualTo("{\"round\": 1}\n{\"round\": 2}\n{\"round\": 3}\n");
    now[0] = 10_002;
    log.append("{\"round\": 4}");
    log.close();
    assertThat(read(local, file))
        .isEqualTo("{\"round\": 1}\n{\"round\": 2}\n{\"round\": 3}\n{\"round\": 4}\n");
  }

  @Test
  void anObjectStoreOutageBetweenRewritesLosesNoLineAndStopsNoRun() throws Exception {
    long[] now = {0};
    FileSystem local = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.resolve("m.jsonl").toUri());
    NoFlushFileSystem store = new NoFlushFileSystem(local);
    MetricsLog log = MetricsLog.create(store, file, List.of("{\"round\": 1}"), 10_000,
        () -> now[0]);
    // The store goes away while a rewrite is due (S3A on Hadoop 3.5 fails such a PUT within a
    // second): the round goes on, the line waits for the next rewrite.
    store.down = true;
    now[0] = 10_001;
    log.append("{\"round\": 2}");
    assertThat(read(local, file)).isEqualTo("{\"round\": 1}\n");
    store.down = false;
    now[0] = 20_002;
    log.append("{\"round\": 3}");
    assertThat(read(local, file)).isEqualTo("{\"round\": 1}\n{\"round\": 2}\n{\"round\": 3}\n");
    // The last rewrite, on close, is the one that must reach the store.
    log.append("{\"round\": 4}");
    store.down = true;
    assertThatThrownBy(log::close).isInstanceOf(IOException.class).hasMessageContaining("down");
  }

  /**
   * The local file system with streams that cannot hflush, as an object store's cannot: the
   * real store is S3 in the integration tests (LiveMetricsFileTest); this one has a clock, and
   * can be down (every create fails, as S3A's does when the endpoint refuses connections).
   */
  private static final class NoFlushFileSystem extends FilterFileSystem {
    boolean down;

    NoFlushFileSystem(FileSystem fs) {
      super(fs);
    }

    @Override
    public FSDataOutputStream create(org.apache.hadoop.fs.Path f, FsPermission permission,
        boolean overwrite, int bufferSize, short replication, long blockSize,
        Progressable progress) throws IOException {
      if (down) {
        throw new IOException("the store is down: " + f);
      }
      OutputStream plain = new FilterOutputStream(super.create(f, permission, overwrite,
          bufferSize, replication, blockSize, progress)) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }
      };
      return new FSDataOutputStream(plain, null);
    }
  }

  private static String read(FileSystem fs, org.apache.hadoop.fs.Path path) throws Exception {
    try (InputStream in = fs.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
