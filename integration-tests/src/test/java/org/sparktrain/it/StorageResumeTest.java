package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.checkpoint.CheckpointInfo;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.it.fixtures.S3Server;
import org.sparktrain.it.fixtures.SharedHdfs;

/**
 * Checkpoint and exact resume with the data and the run directory on real HDFS (MiniDFSCluster)
 * and on a real S3 server (S3Proxy, through s3a://).
 */
class StorageResumeTest {
  private static final String EVERY_ROUND = "{everyRounds: 1, keepLast: 1000}";
  @TempDir
  Path dir;

  private void resumeIsExact(String root, SparkConf conf, Configuration hadoop)
      throws IOException {
    String data = root + "/data/blobs.csv";
    ItSpecs.copy(ItSpecs.blobs(dir, 1500).toUri().toString(), data, hadoop);
    try (JavaSparkContext sc = ItSpecs.local(conf)) {
      TrainJob.Result full = TrainJob.run(sc, ItSpecs.spec(data, root + "/full", 2,
          EVERY_ROUND), false);
      List<CheckpointInfo> written = new CheckpointStore(root + "/full", hadoop).list();
      assertThat(written.size()).isGreaterThanOrEqualTo(2);
      assertThat(written).allMatch(CheckpointInfo::valid);
      // Checkpoints falling due during a write are superseded: resume from one that exists.
      CheckpointInfo middle = written.get(written.size() / 2);
      assertThat(middle.round()).isLessThan(full.model().history().size() - 1);
      String name = String.format("round-%06d", middle.round());
      ItSpecs.copy(root + "/full/checkpoints/" + name, root + "/partial/checkpoints/" + name,
          hadoop);
      TrainJob.Result resumed = TrainJob.run(sc, ItSpecs.spec(data, root + "/partial", 2,
          EVERY_ROUND), false);

      assertThat(resumed.summary().get("resumedFromRound")).isEqualTo(middle.round());
      assertThat(resumed.model().network().params().toFloatVector())
          .containsExactly(full.model().network().params().toFloatVector());
      @SuppressWarnings("unchecked")
      Map<String, Object> records = (Map<String, Object>) resumed.summary().get("records");
      assertThat(records.get("read")).isEqualTo(1500L);
    }
  }

  @Test
  void hdfs() throws IOException {
    SharedHdfs hdfs = SharedHdfs.shared();
    resumeIsExact(hdfs.uri() + "/it/resume-" + System.nanoTime(), new SparkConf(false),
        hdfs.configuration());
  }

  @Test
  void s3() throws IOException {
    S3Server s3 = S3Server.shared();
    resumeIsExact(s3.s3aRoot() + "/it/resume-" + System.nanoTime(),
        s3.sparkConf(new SparkConf(false)), s3.hadoopConf(new Configuration()));
  }

  @Test
  void s3OutageIsRiddenOutByRetries() throws Exception {
    S3Server s3 = S3Server.shared();
    String root = s3.s3aRoot() + "/it/outage-" + System.nanoTime();
    String data = ItSpecs.blobs(dir, 2000).toUri().toString();
    String checkpoint = "{everyRounds: 1, keepLast: 2, retries: 8, retryBackoffMs: 400}";
    Configuration hadoop = s3.hadoopConf(new Configuration());
    List<Throwable> problems = new ArrayList<>();
    Thread outage = new Thread(() -> {
      try {
        CheckpointStore store = new CheckpointStore(root + "/run", hadoop);
        long deadline = System.currentTimeMillis() + 120_000;
        while (store.list().stream().noneMatch(CheckpointInfo::valid)
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(200);
        }
        s3.stop();
        Thread.sleep(5_000);
      } catch (Throwable t) {
        problems.add(t);
      } finally {
        s3.start();
      }
    });
    try (JavaSparkContext sc = ItSpecs.local(s3.sparkConf(new SparkConf(false)))) {
      outage.start();
      TrainJob.Result withOutage = TrainJob.run(sc, ItSpecs.spec(data, root + "/run", 3,
          checkpoint), false);
      outage.join();
      TrainJob.Result clean = TrainJob.run(sc, ItSpecs.spec(data,
          dir.resolve("clean").toUri().toString(), 3, checkpoint), false);

      assertThat(problems).isEmpty();
      assertThat(s3.lastStopMillis()).isPositive();
      @SuppressWarnings("unchecked")
      Map<String, Object> checkpoints = (Map<String, Object>) withOutage.summary()
          .get("checkpoints");
      assertThat(checkpoints.get("lastRound"))
          .isEqualTo((long) withOutage.model().history().size() - 1);
      // The outage was felt, and ridden out: writes failed, were tried again, none was lost.
      assertThat((int) checkpoints.get("retried")).as("retried writes").isPositive();
      assertThat(checkpoints.get("failed")).isEqualTo(0);
      assertThat(withOutage.model().network().params().toFloatVector())
          .containsExactly(clean.model().network().params().toFloatVector());
      assertThat(new CheckpointStore(root + "/run", hadoop).list().get(0).valid()).isTrue();
    } finally {
      if (!s3.isRunning()) {
        s3.start();
      }
    }
  }
}
