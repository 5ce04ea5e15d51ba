package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spark ML Pipeline with sparktrain, fitted and saved in one JVM, loads in a fresh JVM (no
 * class, network or Spark state shared) and transforms to the same probabilities, bit for bit.
 */
class PipelineFreshJvmTest {
  @TempDir
  Path dir;

  @Test
  void aSavedPipelineLoadsInAFreshJvmAndTransformsIdentically() throws Exception {
    ChildJvm.Result fit = ChildJvm.run(dir, PipelineRoundTripMain.class.getName(),
        "fit", dir.toString());
    assertThat(fit.exitCode()).as(fit.stderr()).isZero();
    ChildJvm.Result load = ChildJvm.run(dir, PipelineRoundTripMain.class.getName(),
        "load", dir.toString());
    assertThat(load.exitCode()).as(load.stderr()).isZero();
    List<String> fitted = Files.readAllLines(dir.resolve("fitted.txt"));
    assertThat(fitted).hasSize(150);
    assertThat(Files.readAllLines(dir.resolve("loaded.txt"))).isEqualTo(fitted);
  }
}
