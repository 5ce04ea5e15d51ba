package org.sparktrain.driver.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs are compared with what they must not destroy as the disk resolves them. */
class OutputGuardTest {
  private static final Configuration CONF = new Configuration();
  @TempDir
  Path dir;
  private Path model;
  private List<OutputGuard.Kept> kept;

  @BeforeEach
  void aModel() throws Exception {
    model = Files.createDirectories(dir.resolve("run/model"));
    Files.writeString(model.resolve("model.zip"), "weights");
    kept = List.of(new OutputGuard.Kept("the model", model.toString()));
  }

  private void inside(Path output) throws Exception {
    OutputGuard.refuseInside("predict", "--output", output.toString(), kept, CONF);
  }

  @Test
  void aPathThroughASymlinkIntoTheModelIsTheModel() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("link"), model);
    assertThatThrownBy(() -> inside(link)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(given as " + link + ", through a symbolic link) is the model");
    assertThatThrownBy(() -> inside(link.resolve("model.zip")))
        .hasMessageContaining("is inside the model");
    assertThatThrownBy(() -> inside(link.resolve("new/predictions.csv")))
        .hasMessageContaining("is inside the model");
    // A link in the middle of the path, and a relative one.
    Path runLink = Files.createSymbolicLink(dir.resolve("run-link"), Path.of("run"));
    assertThatThrownBy(() -> inside(runLink.resolve("model/x.csv")))
        .hasMessageContaining("is inside the model");
  }

  @Test
  void aDanglingSymlinkIntoTheModelIsFollowed() throws Exception {
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling.csv"),
        model.resolve("not-yet.csv"));
    assertThatThrownBy(() -> inside(dangling)).hasMessageContaining("is inside the model");
  }

  @Test
  void anOutputFolderHoldingTheModelIsRefusedWhereItIsReplacedWhole() throws Exception {
    Path toRun = Files.createSymbolicLink(dir.resolve("to-run"), dir.resolve("run"));
    assertThatCode(() -> inside(toRun)).doesNotThrowAnyException();
    assertThatThrownBy(() -> OutputGuard.refuseOverlap("predict", "--output", toRun.toString(),
        kept, CONF)).hasMessageContaining("holds the model");
  }

  @Test
  void outputsBesideTheModelPass() throws Exception {
    assertThatCode(() -> inside(dir.resolve("run/model-copy"))).doesNotThrowAnyException();
    assertThatCode(() -> inside(dir.resolve("predictions.csv"))).doesNotThrowAnyException();
    assertThat(OutputGuard.canonical(dir.resolve("a/../b.csv").toString(), CONF).toString())
        .isEqualTo("file:" + dir.toRealPath().resolve("b.csv"));
  }
}
