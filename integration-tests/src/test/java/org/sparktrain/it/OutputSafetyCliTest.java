package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output that reaches a model through a symbolic link is the model: predict refuses it
 * (exit 2) and model.zip keeps every byte, whichever link leads there.
 */
class OutputSafetyCliTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  @TempDir
  static Path dir;
  private static Path inputs;

  @BeforeAll
  static void trainAModel() throws Exception {
    inputs = ItSpecs.blobs(dir, 200);
    Path spec = Files.writeString(dir.resolve("spec.yaml"), ItSpecs.yaml(inputs.toString(),
        dir.resolve("run").toString(), 1, "{everyEpoch: false}"));
    ChildJvm.Result r = ChildJvm.run(dir, MAIN, "train", spec.toString(), "--master",
        "local[2]");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
  }

  @Test
  void predictThroughASymlinkToTheModelOrItsParent_isRefusedAndTheModelKept() throws Exception {
    Path modelZip = dir.resolve("run/model/model.zip");
    byte[] before = Files.readAllBytes(modelZip);
    Path toModel = Files.createSymbolicLink(dir.resolve("to-model"), dir.resolve("run/model"));
    Path toRun = Files.createSymbolicLink(dir.resolve("to-run"), dir.resolve("run"));
    Path toZip = Files.createSymbolicLink(dir.resolve("to-zip.csv"), modelZip);
    for (Path output : List.of(toModel.resolve("model.zip"), toRun.resolve("model/model.zip"),
        toRun, toModel, toZip)) {
      ChildJvm.Result r = ChildJvm.run(dir, MAIN, "predict", "--model", "run/model", "--input",
          inputs.toString(), "--label-column", "-1", "--output", output.toString(),
          "--overwrite");
      assertThat(r.exitCode()).as(output + ": " + r.stderr()).isEqualTo(2);
      assertThat(r.stderr()).as(output.toString())
          .containsPattern("predict: --output \\S+ \\(given as (file:)?" + output
              + ", through a symbolic link\\) (is (inside )?|holds )the model");
      assertThat(Files.readAllBytes(modelZip)).as(output.toString()).isEqualTo(before);
    }
    // The same model predicts into an ordinary file.
    ChildJvm.Result ok = ChildJvm.run(dir, MAIN, "predict", "--model", "to-model", "--input",
        inputs.toString(), "--label-column", "-1", "--output", "predictions.csv");
    assertThat(ok.exitCode()).as(ok.stderr()).isZero();
    assertThat(Files.readAllBytes(modelZip)).isEqualTo(before);
  }
}
