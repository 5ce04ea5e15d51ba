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
 * show up in the logs, the echoed spec, spec.yaml, summary.json, metrics or checkpoint files;
 * credentials written into the spec itself (reader options, user information in a URI, --set)
 * are refused before anything is written, and the refusal does not quote them.
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

  /**
   * A run whose spec holds a credential, in the file or through --set: refused with exit 2 and
   * one line naming the key, and the secret is in no output, no log line and no file written.
   */
  @Test
  void credentialsWrittenInTheSpecAreRefusedAndNeverWritten() throws Exception {
    String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    String access = "AKIAIOSFODNN7EXAMPLE";
    // A valid spec for Spark's CSV reader: without the check it trains and writes spec.yaml.
    Path csv = dir.resolve("blobs-header.csv");
    Files.writeString(csv, "f1,f2,f3,f4,f5,f6,f7,f8,label\n"
        + Files.readString(ItSpecs.blobs(dir, 200)));
    String spec = """
        data: {format: csv, uri: '%s', labelColumn: label, numClasses: 4,
               options: {header: true%s}}
        model: {name: mlp, hidden: [8]}
        train: {epochs: 1, batchSize: 16, workers: 2, threadsPerWorker: 1}
        output: {dir: '%s'}
        """;
    record Case(String name, String options, String uri, List<String> sets, String named) {}
    List<Case> cases = List.of(
        new Case("options", ", 'fs.s3a.secret.key': '" + secret + "'", csv.toUri().toString(),
            List.of(), "data.options.fs.s3a.secret.key is a credential"),
        new Case("set", "", csv.toUri().toString(),
            List.of("--set", "data.options.fs.s3a.access.key=" + access, "--set",
                "data.options.fs.s3a.secret.key=" + secret),
            "data.options.fs.s3a.access.key is a credential"),
        new Case("uri", "", "s3a://" + access + ":" + secret + "@bucket/blobs.csv", List.of(),
            "data.uri: the URI carries credentials"));
    for (Case c : cases) {
      Path out = dir.resolve("run-" + c.name());
      Path file = Files.writeString(dir.resolve(c.name() + ".yaml"),
          spec.formatted(c.uri(), c.options(), out.toUri()));
      List<String> args = new ArrayList<>(List.of("train", file.toString(), "--master",
          "local[2]"));
      args.addAll(c.sets());
      ChildJvm.Result r = ChildJvm.run(dir, List.of(), Map.of(), MAIN,
          args.toArray(String[]::new));
      assertThat(r.exitCode()).as(c.name() + ": " + r.stderr()).isEqualTo(2);
      assertThat(r.stderr()).as(c.name()).contains(c.named())
          .contains("hadoop.security.credential.provider.path");
      for (String text : List.of(r.stdout(), r.stderr())) {
        assertThat(text).as(c.name()).doesNotContain(secret).doesNotContain(access);
      }
      if (Files.exists(out)) {
        try (var files = Files.walk(out)) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            assertThat(text).as(f.toString()).doesNotContain(secret).doesNotContain(access);
          }
        }
      }
    }
  }
}
