package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.output.AtomicFiles;
import org.sparktrain.it.fixtures.S3Server;
import org.sparktrain.it.fixtures.SharedHdfs;

/**
 * A whole-file write replaces an existing file on every store: HDFS's rename returns false
 * onto an existing file, S3A's throws; the live report rewrites report.html this way at every
 * validation, and a run on S3 failed on its second draw before this was handled.
 */
class AtomicFilesOnStoresTest {
  @Test
  void replacesAnExistingFileOnHdfsAndS3() throws IOException {
    S3Server s3 = S3Server.shared();
    SharedHdfs hdfs = SharedHdfs.shared();
    Configuration conf = s3.hadoopConf(hdfs.configuration());
    for (String root : new String[] {hdfs.uri() + "/it/atomic-" + System.nanoTime(),
        s3.s3aRoot() + "/it/atomic-" + System.nanoTime()}) {
      Path file = new Path(root + "/report.html");
      FileSystem fs = file.getFileSystem(conf);
      AtomicFiles.write(fs, file, out -> out.write("first".getBytes(StandardCharsets.UTF_8)));
      AtomicFiles.write(fs, file, out -> out.write("second".getBytes(StandardCharsets.UTF_8)));

      try (var in = fs.open(file)) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).as(root)
            .isEqualTo("second");
      }
      assertThat(fs.listStatus(file.getParent())).as("no temporary file left in %s", root)
          .hasSize(1);
    }
  }
}
