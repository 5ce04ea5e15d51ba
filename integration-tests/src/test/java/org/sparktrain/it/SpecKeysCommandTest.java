package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sparktrain spec keys [PREFIX]} as a user runs it: a fresh JVM, stdout and exit code. */
class SpecKeysCommandTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  @TempDir
  static Path dir;

  @Test
  void printsEveryKeyWithItsTypeDefaultAndDoc() throws Exception {
    ChildJvm.Result r = ChildJvm.run(dir, MAIN, "spec", "keys");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .contains("train.epochs  (integer in [1, 1000000]; default 10)\n"
            + "    Passes over the training data.\n")
        .contains("train.optimizer.name  (sgd | nesterov | adam; default adam)")
        .contains("data.split.validation  (number in [0, 1]; default 0.05)")
        .contains("output.dir  (string; default runs/latest)");
    // Two lines a key, from the first section to the last key.
    assertThat(r.stdout().lines().filter(l -> !l.startsWith(" ")).count())
        .isGreaterThan(100);
    assertThat(r.stdout()).startsWith("data  (section)");
  }

  @Test
  void aPrefixPrintsThatSectionOnly() throws Exception {
    ChildJvm.Result r = ChildJvm.run(dir, MAIN, "spec", "keys", "train.optimizer");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).startsWith("train.optimizer  (section)")
        .contains("train.optimizer.learningRate  (number in (0, 10])\n"
            + "    Default 0.001 for adam, 0.01 otherwise.\n")
        .doesNotContain("train.epochs").doesNotContain("train.outer");
  }

  @Test
  void anUnknownPrefixIsOneLineAndExitCode2() throws Exception {
    ChildJvm.Result r = ChildJvm.run(dir, MAIN, "spec", "keys", "trian");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).contains("sparktrain: error: spec keys: no key is trian or under it "
        + "(sections: data, preprocess, model, train, eval, checkpoint, output)")
        .doesNotContain("\tat ");
  }
}
