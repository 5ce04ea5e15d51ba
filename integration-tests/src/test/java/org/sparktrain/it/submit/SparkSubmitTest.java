package org.sparktrain.it.submit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.it.fixtures.S3Server;
import org.sparktrain.it.fixtures.SharedHdfs;

/**
 * The application jar through {@code deploy/submit.sh} (the class behind spark-submit) onto a
 * real standalone Master and Worker, in client and in cluster deploy mode: data from HDFS
 * (MiniDFSCluster), run directory and checkpoints on S3 (S3Proxy). In cluster mode spark-submit
 * exits 0 whatever the driver did, so the outcome is read from the Master's {@code /json/}.
 */
class SparkSubmitTest {
  private static final Path REPO = Path.of(System.getProperty("sparktrain.it.repo", ".."))
      .toAbsolutePath().normalize();
  private static final Pattern DRIVER_ID = Pattern.compile("driver-\\d{14}-\\d{4}");

  private static StandaloneCluster cluster;
  private static String dataUri;

  @TempDir
  static Path work;

  @BeforeAll
  static void startCluster() throws Exception {
    Path jar = appJar();
    assertThat(jar).as("the application jar (mvn package -pl app -am)").isRegularFile();
    cluster = new StandaloneCluster(sparkDist(), targetDir().resolve("standalone-" + System.nanoTime()),
        3, "4g");
    SharedHdfs hdfs = SharedHdfs.shared();
    dataUri = hdfs.uri() + "/it/submit/digits.csv.gz";
    Configuration conf = hdfs.configuration();
    FileUtil.copy(REPO.resolve("examples/digits.csv.gz").toFile(),
        FileSystem.get(hdfs.uri(), conf), new org.apache.hadoop.fs.Path(dataUri), false, conf);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void clientModeTrainsFromHdfsAndCheckpointsToS3() throws Exception {
    String run = S3Server.shared().s3aRoot() + "/it/submit-client-" + System.nanoTime();
    Submission s = submit("client", spec(run, dataUri));
    assertThat(s.exitCode).as("spark-submit exit code; output:\n%s", s.output).isZero();
    assertRunOnS3(run);
  }

  @Test
  void clusterModeTrainsAndTheMasterReportsFinished() throws Exception {
    String run = S3Server.shared().s3aRoot() + "/it/submit-cluster-" + System.nanoTime();
    Submission s = submit("cluster", spec(run, dataUri));
    String driverId = driverId(s);
    String state = cluster.awaitDriverEnd(driverId, 240_000);
    assertThat(state).as("driver %s; its log:\n%s", driverId, cluster.driverLog(driverId))
        .isEqualTo("FINISHED");
    assertRunOnS3(run);
  }

  @Test
  void clusterModeFailureIsSeenOnTheMasterThoughSubmitExitsZero() throws Exception {
    String run = S3Server.shared().s3aRoot() + "/it/submit-fail-" + System.nanoTime();
    Submission s = submit("cluster", spec(run, SharedHdfs.shared().uri() + "/it/submit/absent.csv"));
    assertThat(s.exitCode).as("spark-submit in cluster mode does not report the driver's fate")
        .isZero();
    String driverId = driverId(s);
    assertThat(cluster.awaitDriverEnd(driverId, 240_000)).isIn("FAILED", "ERROR");
    assertThat(cluster.driverLog(driverId)).contains("absent.csv");
  }

  private Path spec(String runUri, String data) throws IOException {
    Path spec = Files.createTempFile(work, "spec", ".yaml");
    Files.writeString(spec, """
        data: {uri: '%s', numClasses: 10, split: {train: 0.8, validation: 0.05, test: 0.15}}
        preprocess: {normalize: scale}
        model: {name: mlp, hidden: [32]}
        train: {epochs: 3, batchSize: 16, workers: 2, averagingFrequency: 5,
                optimizer: {name: adam, learningRate: 0.005}, threadsPerWorker: 1}
        checkpoint: {everyEpoch: true, keepLast: 2}
        output: {dir: '%s'}
        """.formatted(data, runUri), StandardCharsets.UTF_8);
    return spec;
  }

  private record Submission(int exitCode, String output) {}

  private Submission submit(String deployMode, Path spec) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", REPO.resolve("deploy/submit.sh").toString(),
        "--master", cluster.masterUrl(), "--deploy-mode", deployMode,
        "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.cores=1",
        "--conf", "spark.cores.max=2", "--conf", "spark.driver.memory=1g",
        "--conf", "spark.ui.enabled=false"));
    S3Server.shared().s3aSettings().forEach((k, v) -> {
      cmd.add("--conf");
      cmd.add("spark.hadoop." + k + "=" + v);
    });
    cmd.addAll(List.of("train", spec.toString()));
    Path log = Files.createTempFile(work, "submit-" + deployMode, ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(cluster.environment());
    pb.environment().put("SPARKTRAIN_JAR", appJar().toString());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IllegalStateException("spark-submit did not finish in 300 s:\n"
          + Files.readString(log));
    }
    return new Submission(p.exitValue(), Files.readString(log));
  }

  private static String driverId(Submission s) throws IOException {
    Matcher m = DRIVER_ID.matcher(s.output);
    assertThat(m.find()).as("a driver id in spark-submit's output:\n%s", s.output).isTrue();
    assertThat(cluster.driverIds()).contains(m.group());
    return m.group();
  }

  /** The run finished on S3: a summary with a real accuracy and committed checkpoints. */
  private static void assertRunOnS3(String runUri) throws IOException {
    Configuration conf = S3Server.shared().hadoopConf(new Configuration());
    org.apache.hadoop.fs.Path run = new org.apache.hadoop.fs.Path(runUri);
    FileSystem fs = run.getFileSystem(conf);
    JsonNode summary;
    try (var in = fs.open(new org.apache.hadoop.fs.Path(run, "summary.json"))) {
      summary = new ObjectMapper().readTree(in);
    }
    assertThat(summary.path("test").path("accuracy").asDouble()).as("summary %s", summary)
        .isGreaterThan(0.85);
    FileStatus[] checkpoints = fs.listStatus(new org.apache.hadoop.fs.Path(run, "checkpoints"));
    assertThat(checkpoints).isNotEmpty();
    for (FileStatus c : checkpoints) {
      assertThat(fs.exists(new org.apache.hadoop.fs.Path(c.getPath(), "_MANIFEST.json")))
          .as("manifest of %s", c.getPath()).isTrue();
    }
  }

  private static Path appJar() {
    return Path.of(System.getProperty("sparktrain.it.appJar",
        REPO.resolve("app/target/sparktrain-app-spark3.5.jar").toString()));
  }

  private static Path sparkDist() {
    return Path.of(System.getProperty("sparktrain.it.sparkDist",
        REPO.resolve("spark-dist/target/spark-dist").toString()));
  }

  private static Path targetDir() {
    return Path.of(System.getProperty("sparktrain.it.target", "target")).toAbsolutePath();
  }
}
