package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparktrain.worker.backend.CpuFlags;
import org.sparktrain.worker.backend.NativeBuild;

/**
 * ND4J's CPU kernels as a user picks them: {@code spark.sparktrain.native} (here a -D option, as
 * spark-submit's --conf passes it) on the command line, one child JVM per build because a JVM
 * loads ND4J's library once.
 */
class NativeKernelsCliTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  private static final Path DIGITS =
      Path.of("../examples/digits.csv.gz").toAbsolutePath().normalize();
  @TempDir
  static Path dir;

  /** Every build on the test classpath that this machine's CPU can run. */
  static Stream<NativeBuild> runnableBuilds() {
    return NativeBuild.present().stream().filter(b -> b.runsOn(CpuFlags.read()));
  }

  private static ChildJvm.Result train(String run, List<String> jvmArgs) throws Exception {
    Path spec = Files.writeString(dir.resolve(run + ".yaml"), """
        data: {uri: '%s', numClasses: 10}
        model: {name: mlp, hidden: [32]}
        train: {epochs: 1, batchSize: 16, workers: 2, averagingFrequency: 5}
        output: {dir: %s}
        """.formatted(DIGITS, run));
    return ChildJvm.run(dir, jvmArgs, Map.of(), MAIN, "train", spec.toString(), "--master",
        "local[2]");
  }

  private static JsonNode kernels(String run, String jvm) throws Exception {
    JsonNode summary = new ObjectMapper().readTree(dir.resolve(run + "/summary.json").toFile());
    return summary.at("/backend/" + jvm + "/nativeKernels");
  }

  @ParameterizedTest
  @MethodSource("runnableBuilds")
  void eachBuildTrainsAndIsReported(NativeBuild build) throws Exception {
    String run = "run-" + build.key();
    ChildJvm.Result r = train(run, List.of("-Dspark.sparktrain.native=" + build.key()));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("test accuracy:");
    // Read back from the path of the library JavaCPP loaded, for the driver and the workers.
    for (String jvm : List.of("driver", "executors/0")) {
      JsonNode k = kernels(run, jvm);
      assertThat(k.path("build").asText()).as(jvm).isEqualTo(build.key());
      assertThat(k.path("requested").asText()).isEqualTo(build.key());
      assertThat(k.path("reason").asText()).isEqualTo("set by spark.sparktrain.native");
    }
    assertThat(r.stderr()).contains("ND4J native kernels: " + build.key() + " (");
  }

  @Test
  void autoPicksWiderKernelsThanGenericOnThisCpu() throws Exception {
    assumeTrue(NativeBuild.AVX2.runsOn(CpuFlags.read()), "this CPU has no AVX2");
    ChildJvm.Result r = train("run-auto", List.of());
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode k = kernels("run-auto", "executors/0");
    assertThat(k.path("build").asText()).isNotEqualTo("generic");
    assertThat(k.path("requested").asText()).isEqualTo("auto");
    assertThat(k.path("reason").asText()).startsWith("auto: the fastest of ");
  }

  @Test
  void anUnknownBuildIsOneLineAndExitCode2() throws Exception {
    ChildJvm.Result r = train("run-bad", List.of("-Dspark.sparktrain.native=avx1024"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr().strip()).isEqualTo("sparktrain: error: spark.sparktrain.native="
        + "avx1024 is not allowed; allowed: auto, generic, avx2, avx512, onednn-avx2");
  }
}
