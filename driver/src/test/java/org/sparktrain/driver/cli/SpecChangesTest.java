package org.sparktrain.driver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.spec.JobSpec;

/** --set and --output: any key from the command line, through the spec parser's checks. */
class SpecChangesTest {
  @TempDir
  Path dir;

  private JobSpec read(List<String> set, String output) throws IOException {
    Path spec = Files.writeString(dir.resolve("spec.yaml"), """
        data: {uri: data.csv, numClasses: 3}
        model: {name: mlp, hidden: [16]}
        train: {epochs: 4, optimizer: {name: sgd, learningRate: 0.1}}
        """);
    SparktrainMain.SpecChanges changes = new SparktrainMain.SpecChanges();
    changes.set = new ArrayList<>(set);
    changes.output = output;
    return changes.read(spec);
  }

  @Test
  void setChangesAnyKeyAndCreatesMissingSections() throws IOException {
    JobSpec spec = read(List.of("train.optimizer.learningRate=0.01", "model.hidden=[64, 32]",
        "train.optimizer.name=adam", "eval.validateEveryRounds=3"), null);
    assertThat(spec.train().optimizer().learningRate()).isEqualTo(0.01);
    assertThat(spec.train().optimizer().kind().key()).isEqualTo("adam");
    assertThat(spec.toMap().get("model").toString()).contains("hidden=[64, 32]");
    assertThat(spec.eval().validateEveryRounds()).isEqualTo(3);
    assertThat(spec.train().epochs()).isEqualTo(4);
  }

  @Test
  void outputIsRelativeToTheWorkingDirectoryNotTheSpec() throws IOException {
    JobSpec spec = read(List.of(), "my runs/first");
    assertThat(spec.output().dir()).contains(Path.of("my runs/first").toAbsolutePath()
        .toString().replace(" ", "%20"));
  }

  @Test
  void badOverridesAreRefusedNamingThem() {
    assertThatThrownBy(() -> read(List.of("train.epochs"), null))
        .hasMessageContaining("--set train.epochs: not allowed (must be key.path=value");
    assertThatThrownBy(() -> read(List.of("train.epochs=-2"), null))
        .hasMessageContaining("with --set/--output: train.epochs: -2 is not allowed");
    assertThatThrownBy(() -> read(List.of("train.epochs.x=1"), null))
        .hasMessageContaining("train.epochs is a value, not a section");
    assertThatThrownBy(() -> read(List.of("train.optimiser.name=adam"), null))
        .hasMessageContaining("unknown key 'train.optimiser'");
  }
}
