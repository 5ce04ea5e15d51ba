package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.cli.SparktrainMain;
import org.sparktrain.driver.output.ComparePage;
import org.sparktrain.driver.run.ComparedRun;
import org.sparktrain.driver.run.CrossValidation;
import org.sparktrain.driver.run.RunComparison;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.it.fixtures.S3Server;
import org.sparktrain.it.fixtures.SharedHdfs;

/**
 * {@code sparktrain compare} on runs that live on three stores (HDFS, S3, the local disk) and
 * on a crossval output: the only differing spec key is found, every result is the run's own
 * number, the command prints both tables, and compare.html renders in Chromium with every
 * run's curve.
 */
class CompareRunsTest {
  @TempDir
  static Path dir;
  private static TrainJob.Result slow;
  private static TrainJob.Result fast;
  private static Path crossval;

  @BeforeAll
  static void trainTwoRunsAndACrossval() throws IOException {
    String data = ItSpecs.blobs(dir, 600).toUri().toString();
    crossval = dir.resolve("cv");
    try (JavaSparkContext sc = ItSpecs.local(new SparkConf())) {
      slow = TrainJob.run(sc, ItSpecs.spec(data, dir.resolve("slow").toUri().toString(), 2,
          "{everyEpoch: true}"), false);
      fast = TrainJob.run(sc, JobSpecParser.parse(ItSpecs.yaml(data,
          dir.resolve("fast").toUri().toString(), 2, "{everyEpoch: true}")
          .replace("learningRate: 0.003", "learningRate: 0.01"), null), false);
      CrossValidation.run(sc, ItSpecs.spec(data, crossval.toUri().toString(), 1,
          "{everyEpoch: true}"), 2);
    }
  }

  @Test
  void runsOnHdfsS3AndLocalDiskLineUp() throws IOException {
    SharedHdfs hdfs = SharedHdfs.shared();
    S3Server s3 = S3Server.shared();
    Configuration conf = s3.hadoopConf(hdfs.configuration());
    String onHdfs = hdfs.uri() + "/it/compare-" + System.nanoTime() + "/slow";
    String onS3 = s3.s3aRoot() + "/it/compare-" + System.nanoTime() + "/fast";
    ItSpecs.copy(dir.resolve("slow").toUri().toString(), onHdfs, conf);
    ItSpecs.copy(dir.resolve("fast").toUri().toString(), onS3, conf);

    RunComparison comparison = new RunComparison(List.of(ComparedRun.read(onHdfs, conf),
        ComparedRun.read(onS3, conf), ComparedRun.read(crossval.toUri().toString(), conf)));

    assertThat(comparison.labels()).containsExactly("slow", "fast", "cv");
    // Learning rate differs between the two runs, epochs between them and the crossval.
    assertThat(rows(comparison.specDifferences()))
        .containsOnlyKeys("train.optimizer.learningRate", "train.epochs");
    assertThat(rows(comparison.specDifferences()).get("train.optimizer.learningRate"))
        .containsExactly("0.003", "0.01", "0.003");
    Map<String, List<Object>> results = rows(comparison.results());
    assertThat(results.get("status")).containsExactly("finished", "finished", "crossval");
    assertThat(results.get("test accuracy")).containsExactly(
        testMetric(slow, "accuracy"), testMetric(fast, "accuracy"), null);
    assertThat(results.get("rounds")).containsExactly((long) slow.model().history().size(),
        (long) fast.model().history().size(), null);
    assertThat(results.get("final training loss")).containsExactly(last(slow), last(fast), null);
    assertThat(results.get("achieved GFLOP/s")).containsExactly(
        flops(slow, "achievedGflopsPerSec"), flops(fast, "achievedGflopsPerSec"), null);
    assertThat(results.get("utilization of measured peak")).containsExactly(
        flops(slow, "utilization"), flops(fast, "utilization"), null);
    assertThat(results.get("crossval accuracy mean").get(2)).isInstanceOf(Double.class);
    assertThat(results.get("newest checkpoint bytes")).containsExactly(
        newestCheckpointBytes(onHdfs, conf), newestCheckpointBytes(onS3, conf), null);
    assertThat(comparison.text()).containsPattern(
        "train\\.optimizer\\.learningRate +0\\.003 +0\\.01 +0\\.003");
  }

  @Test
  void theCommandPrintsBothTablesAndThePageRendersEveryRun() throws Exception {
    Path page = dir.resolve("compare.html");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int code;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      code = SparktrainMain.execute("compare", dir.resolve("slow").toString(),
          dir.resolve("fast").toString(), "--output", page.toString());
    } finally {
      System.setOut(stdout);
    }
    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text).containsPattern("spec key +slow +fast")
        .containsPattern("train\\.optimizer\\.learningRate +0\\.003 +0\\.01\n")
        .containsPattern("test accuracy +" + ComparePage.format(testMetric(slow, "accuracy"))
            + " +" + ComparePage.format(testMetric(fast, "accuracy")))
        .doesNotContain("model.name");
    assertThat(page).exists();

    Assumptions.assumeTrue(HeadlessChromium.available(), HeadlessChromium.MISSING);
    HeadlessChromium.Page shown = HeadlessChromium.open(page, dir);
    assertThat(shown.consoleLines()).isEmpty();
    assertThat(shown.dom()).contains("data-compare=\"rendered\"");
    int rounds = slow.model().history().size() + fast.model().history().size();
    assertThat(HeadlessChromium.chartPoints(shown.dom()))
        .containsEntry("training loss", rounds)
        .containsEntry("examples/s over training time", rounds)
        .containsKey("validation accuracy");
    // The better test accuracy, lower loss and so on are marked.
    assertThat(shown.dom()).containsPattern("id=\"results\"[^>]*data-best=\"[1-9]");
  }

  @Test
  void aFolderThatIsNoRunIsNamed() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("not-a-run"));
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    int code;
    System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
    try {
      code = SparktrainMain.execute("compare", dir.resolve("slow").toString(),
          empty.toString(), "--output", dir.resolve("never.html").toString());
    } finally {
      System.setErr(stderr);
    }
    assertThat(code).isEqualTo(2);
    assertThat(errors.toString(StandardCharsets.UTF_8)).contains("not-a-run")
        .contains("no spec.yaml");
    assertThat(dir.resolve("never.html")).doesNotExist();
  }

  private static Map<String, List<Object>> rows(List<ComparePage.Row> rows) {
    Map<String, List<Object>> m = new LinkedHashMap<>();
    rows.forEach(r -> m.put(r.name(), r.values()));
    return m;
  }

  private static Object testMetric(TrainJob.Result run, String name) {
    return ((Map<?, ?>) run.summary().get("test")).get(name);
  }

  private static Object flops(TrainJob.Result run, String name) {
    return ((Map<?, ?>) run.summary().get("flops")).get(name);
  }

  private static Object last(TrainJob.Result run) {
    return run.model().history().get(run.model().history().size() - 1).loss();
  }

  private static Long newestCheckpointBytes(String runDir, Configuration conf)
      throws IOException {
    return new CheckpointStore(runDir, conf).list().get(0).bytes();
  }
}
