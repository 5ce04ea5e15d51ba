package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.ModelBundle;

/**
 * The driver JVM killed with SIGKILL mid-run: running the same command again resumes from the
 * last checkpoint and ends with exactly the parameters of an uninterrupted run.
 */
class DriverKillTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  @TempDir
  Path dir;

  private Process startTrain(Path spec) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ChildJvm.SPARK_JAVA17_FLAGS);
    command.addAll(List.of("-Xmx2g", "-cp", ChildJvm.testClasspath(), MAIN, "train",
        spec.toString(), "--master", "local[2]"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }

  @Test
  void rerunningTheSameCommandResumesAndEndsIdentical() throws Exception {
    String data = ItSpecs.blobs(dir, 3000).toUri().toString();
    String checkpoint = "{everyRounds: 10, keepLast: 2}";
    Path killedSpec = Files.writeString(dir.resolve("run.yaml"),
        ItSpecs.yaml(data, dir.resolve("run").toString(), 3, checkpoint));
    Path cleanSpec = Files.writeString(dir.resolve("clean.yaml"),
        ItSpecs.yaml(data, dir.resolve("clean").toString(), 3, checkpoint));

    Process driver = startTrain(killedSpec);
    Path checkpoints = dir.resolve("run/checkpoints");
    long deadline = System.currentTimeMillis() + 180_000;
    while (System.currentTimeMillis() < deadline && driver.isAlive()
        && !(Files.isDirectory(checkpoints) && hasCommittedCheckpoint(checkpoints, 20))) {
      Thread.sleep(50);
    }
    assertThat(driver.isAlive()).as("driver still running when killed").isTrue();
    driver.destroyForcibly(); // SIGKILL: no shutdown hooks, no final checkpoint
    assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(dir.resolve("run/summary.json")).doesNotExist();

    ChildJvm.Result resumed = ChildJvm.run(dir, MAIN, "train", killedSpec.toString(),
        "--master", "local[2]");
    assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
    assertThat(resumed.stderr()).contains("resuming from checkpoint round")
        // The killed driver's lease is still there and fresh, but its process is gone.
        .contains("taking over the run directory").contains("that run is gone");
    ChildJvm.Result clean = ChildJvm.run(dir, MAIN, "train", cleanSpec.toString(),
        "--master", "local[2]");
    assertThat(clean.exitCode()).as(clean.stderr()).isZero();

    JsonNode summary = new ObjectMapper().readTree(dir.resolve("run/summary.json").toFile());
    assertThat(summary.get("resumedFromRound").asLong()).isGreaterThanOrEqualTo(19);
    Configuration conf = new Configuration();
    float[] resumedParams = ModelBundle.load(dir.resolve("run/model").toString(), conf)
        .network().params().toFloatVector();
    float[] cleanParams = ModelBundle.load(dir.resolve("clean/model").toString(), conf)
        .network().params().toFloatVector();
    assertThat(resumedParams).containsExactly(cleanParams);
    assertThat(Files.readAllLines(dir.resolve("run/metrics.jsonl")))
        .hasSameSizeAs(Files.readAllLines(dir.resolve("clean/metrics.jsonl")));
  }

  private static boolean hasCommittedCheckpoint(Path checkpoints, int minRound)
      throws IOException {
    try (var dirs = Files.list(checkpoints)) {
      return dirs.anyMatch(d -> d.getFileName().toString().startsWith("round-")
          && Integer.parseInt(d.getFileName().toString().substring(6)) >= minRound - 1
          && Files.exists(d.resolve("_MANIFEST.json")));
    }
  }
}
