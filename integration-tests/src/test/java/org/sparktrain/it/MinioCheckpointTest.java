package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.checkpoint.CheckpointContent;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.ModelSnapshot;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The S3 checkpoint round trip against MinIO in a container. Skipped where no Docker engine
 * runs (as on the project's CI machine); S3Proxy covers S3 there.
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioCheckpointTest {
  @Container
  private static final MinIOContainer MINIO =
      new MinIOContainer("minio/minio:RELEASE.2024-10-13T13-34-11Z");

  @Test
  void checkpointRoundTripsThroughS3a() throws Exception {
    String bucket = "sparktrain";
    AmazonS3 client = AmazonS3ClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(MINIO.getS3URL(),
            "us-east-1"))
        .withPathStyleAccessEnabled(true)
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(
            MINIO.getUserName(), MINIO.getPassword())))
        .build();
    try {
      client.createBucket(bucket);
    } finally {
      client.shutdown();
    }
    Configuration conf = new Configuration();
    conf.set("fs.s3a.endpoint", MINIO.getS3URL());
    conf.set("fs.s3a.path.style.access", "true");
    conf.set("fs.s3a.connection.ssl.enabled", "false");
    conf.set("fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set("fs.s3a.access.key", MINIO.getUserName());
    conf.set("fs.s3a.secret.key", MINIO.getPassword());
    CheckpointStore store = new CheckpointStore("s3a://" + bucket + "/run", conf);
    CheckpointContent c = new CheckpointContent(3, new ModelSnapshot(new float[] {1f, 2f},
        new float[][] {{3f}}, 9, 1), "{}", Normalizer.identity(2), "data: {uri: x}\n",
        List.<RoundMetrics>of(), 10, 1.5, 1L);
    store.write(c);
    assertThat(store.load(3).snapshot().params()).containsExactly(1f, 2f);
  }
}
