package org.sparktrain.driver.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A spec is small once read, however it is written: aliases that multiply it, nesting beyond a
 * spec's few levels and long values are refused or quoted in part, so an error message stays a
 * line and costs nothing to build.
 */
class SpecBoundsTest {
  private static final Path BASE = Path.of("/data");
  private static final String REST = "data: {uri: x.csv, numClasses: 2}\n";

  private static SpecException refusal(String yaml) {
    long start = System.nanoTime();
    SpecException e = catchThrowableOfType(() -> JobSpecParser.parse(yaml, BASE),
        SpecException.class);
    assertThat(e).as("refused").isNotNull();
    assertThat((System.nanoTime() - start) / 1e9).as("seconds to refuse").isLessThan(2.0);
    return e;
  }

  /**
   * 46 aliases (SnakeYAML allows 50), each level two of the one below, and model.hidden two of
   * the top: 2^24 values once followed, which the message quoting model.hidden wrote out whole.
   */
  static String aliasBomb() {
    StringBuilder yaml = new StringBuilder(REST).append("x:\n  - &a0 [1, 1]\n");
    for (int level = 1; level <= 22; level++) {
      yaml.append("  - &a").append(level).append(" [*a").append(level - 1).append(", *a")
          .append(level - 1).append("]\n");
    }
    return yaml.append("model: {name: mlp, hidden: [*a22, *a22]}\n").toString();
  }

  @Test
  void fortySixAliasesInModelHidden_areRefusedAtOnceInOneShortLine() {
    String yaml = aliasBomb();
    assertThat(yaml.length()).isLessThan(1500);
    assertThat(yaml.split("\\*a", -1).length - 1).isEqualTo(46);
    SpecException e = refusal(yaml);
    assertThat(e.getMessage())
        .startsWith("the job spec holds more than 100,000 values once its aliases (*name) are "
            + "followed")
        .hasSizeLessThan(300);
  }

  @Test
  void aListQuotedInAMessage_showsABoundedPrefixOfIt() {
    String ones = "1, ".repeat(5000);
    SpecException e = refusal(REST + "model: {name: mlp, hidden: [[" + ones + "1]]}\n");
    assertThat(e.getMessage()).startsWith("model.hidden[0]: a list [1, 1, 1")
        .contains("...").hasSizeLessThan(500);
  }

  @Test
  void aLongValueQuotedInAMessage_showsABoundedPrefixOfIt() {
    SpecException e = refusal(REST + "model: {name: " + "x".repeat(100_000) + "}\n");
    assertThat(e.getMessage()).startsWith("model.name: 'xxxx")
        .contains("... (100000 characters)").hasSizeLessThan(600);
  }

  @Test
  void nestingDeeperThanASpecNeeds_isRefused() {
    String deep = "{a: ".repeat(40) + "1" + "}".repeat(40);
    SpecException e = refusal(REST + "model: {name: mlp}\ntrain: " + deep + "\n");
    assertThat(e.getMessage()).startsWith("the job spec is not valid YAML")
        .contains("Nesting Depth exceeded max 32");
  }

  @Test
  void aSpecOfMoreThanAMegabyte_isRefused() {
    SpecException e = refusal(REST + "model: {name: mlp}\n#" + "x".repeat(1 << 20) + "\n");
    assertThat(e.getMessage()).isEqualTo("the job spec is 1,048,631 characters; a spec may have "
        + "at most 1,048,576");
  }
}
