package org.sparktrain.driver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** The one line a user sees for an exception chain. */
class ErrorMessagesTest {
  @Test
  void aWrapperThatQuotesItsCauseKeepsTheFileItNames() {
    IllegalArgumentException cause = new IllegalArgumentException("it nests deeper than 64 "
        + "levels (line 1, column 73)");
    IOException wrapper = new IOException("m/model.zip: configuration.json is refused: "
        + cause.getMessage(), cause);
    assertThat(ErrorMessages.describe(new RuntimeException(wrapper))).isEqualTo(
        "m/model.zip: configuration.json is refused: it nests deeper than 64 levels (line 1, "
            + "column 73)");
  }

  @Test
  void sparksStageFailureGivesWayToTheCauseItQuotes() {
    UncheckedIOException cause = new UncheckedIOException("file:/d/x.csv: line 2 is longer "
        + "than 4194304 characters", new IOException("file:/d/x.csv: line 2 is longer than "
        + "4194304 characters"));
    SparkException spark = new SparkException("Job aborted due to stage failure: Task 0 in "
        + "stage 1.0 failed 1 times, most recent failure: Lost task 0.0: "
        + cause.getClass().getName() + ": " + cause.getMessage() + "\n\tat x.y(Z.java:1)", cause);
    assertThat(ErrorMessages.describe(spark)).isEqualTo("file:/d/x.csv: line 2 is longer than "
        + "4194304 characters");
  }

  @Test
  void aMessageBuiltToExpandIsCut() {
    String line = ErrorMessages.describe(new IllegalArgumentException("model.hidden: "
        + "[1, 2, 3], ".repeat(100_000)));
    assertThat(line).hasSizeLessThan(ErrorMessages.MAX_CHARS + 40).endsWith("(cut at 2000 "
        + "characters)");
  }

  @Test
  void everyLineBeforeARemoteStackTraceIsKept() {
    String mistakes = "spec.yaml: the job spec has 2 mistakes:\n  - unknown key 'model.hiden'"
        + "\n  - unknown key 'trian'";
    assertThat(ErrorMessages.describe(new IllegalArgumentException(mistakes)))
        .isEqualTo(mistakes);
    assertThat(ErrorMessages.describe(new IllegalStateException(mistakes
        + "\n\tat org.sparktrain.X.y(X.java:1)\nCaused by: java.io.IOException: z")))
        .isEqualTo(mistakes);
    assertThat(ErrorMessages.describe(new IllegalStateException("first\nDriver stacktrace:\n"
        + "\tat a.b(C.java:2)"))).isEqualTo("first");
  }
}
