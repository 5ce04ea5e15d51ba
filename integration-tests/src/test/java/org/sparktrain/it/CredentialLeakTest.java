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
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.it.fixtures.S3Server;

/**
 * S3 credentials given through the Hadoop configuration or through environment variables never
 * show up in the logs, the echoed spec, spec.yaml, summary.json, metrics or checkpoint files.
 */
class CredentialLeakTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  @TempDir
  Path dir;

  /** The S3 settings as -Dspark.hadoop.* flags, without or with the keys. */
  private static List<String> s3Flags(S3Server s3, boolean withKeys) {
    List<String> flags = new ArrayList<>();
    for (Map.Entry<String, String> e : s3.s3aSettings().entrySet()) {
      boolean key = e.getKey().endsWith("access.key") || e.getKey().endsWith("secret.key");
      if (e.getKey().equals("fs.s3a.aws.credentials.provider") && !withKeys) {
        flags.add("-Dspark.hadoop.fs.s3a.aws.credentials.provider="
            + "com.amazonaws.auth.EnvironmentVariableCredentialsProvider");
      } else if (!key || withKeys) {
        flags.add("-Dspark.hadoop." + e.getKey() + "=" + e.getValue());
      }
    }
    return flags;
  }

  private void trainAndScan(S3Server s3, String run, List<String> flags, Map<String, String> env)
      throws Exception {
    String output = s3.s3aRoot() + "/it/" + run + "-" + System.nanoTime();
    Path spec = Files.writeString(dir.resolve(run + ".yaml"), ItSpecs.yaml(
        ItSpecs.blobs(dir, 400).toUri().toString(), output, 2, "{everyRounds: 5}"));
    ChildJvm.Result r = ChildJvm.run(dir, flags, env, MAIN, "train", spec.toString(),
        "--master", "local[2]");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stderr()).contains("resolved job spec:");

    List<String> texts = new ArrayList<>(List.of(r.stdout(), r.stderr()));
    Configuration conf = s3.hadoopConf(new Configuration());
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(output);
    try (FileSystem fs = FileSystem.newInstance(root.toUri(), conf)) {
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
      List<String> names = new ArrayList<>();
      while (files.hasNext()) {
        LocatedFileStatus f = files.next();
        names.add(f.getPath().getName());
        try (InputStream in = fs.open(f.getPath())) {
          texts.add(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        }
      }
      assertThat(names).contains("spec.yaml", "summary.json", "metrics.jsonl",
          "training-state.json", "_MANIFEST.json", "model.zip");
      // Parameters written by the driver, or in slices by collective workers (which got the
      // Hadoop configuration, keys included, with their task).
      assertThat(names).containsAnyOf("params.bin", "params.part-00000.bin");
    }
    for (String text : texts) {
      assertThat(text).doesNotContain(s3.secretKey()).doesNotContain(s3.accessKey());
    }
  }

  @Test
  void keysFromTheHadoopConfigurationDoNotLeak() throws Exception {
    S3Server s3 = S3Server.shared();
    trainAndScan(s3, "hadoop-conf", s3Flags(s3, true), Map.of());
  }

  @Test
  void keysFromEnvironmentVariablesDoNotLeak() throws Exception {
    S3Server s3 = S3Server.shared();
    trainAndScan(s3, "env", s3Flags(s3, false), Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(),
        "AWS_SECRET_ACCESS_KEY", s3.secretKey()));
  }

}
