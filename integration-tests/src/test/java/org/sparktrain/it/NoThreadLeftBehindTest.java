package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Java program that fits with the default (collective) sync and stops Spark ends by itself,
 * as any program does when main returns: no non-daemon thread of Spark's barrier machinery or
 * of sparktrain keeps its JVM alive. Spark 3.5's "Barrier task timer" did, for the estimator,
 * the notebook API and the DL4J class alike; only the command line, which calls System.exit,
 * ended.
 */
class NoThreadLeftBehindTest {
  /** Starting Spark and fitting take 15-40 s on 2 idle cores, over 200 s on a loaded box. */
  private static final long FIT_WITHIN_S = 480;
  /**
   * How long after main returned the JVM may take to end (it takes about a second); longer than
   * FitAndReturnMain waits before it names the threads that keep the JVM alive.
   */
  private static final long EXIT_WITHIN_S = 30;

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"estimator", "notebook", "dl4j"})
  void aProgramThatFitsAndStopsSparkExitsByItself(String api) throws Exception {
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    Process p = ChildJvm.start(dir, List.of(), Map.of(), out, err,
        FitAndReturnMain.class.getName(), api, dir.toString());
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FIT_WITHIN_S);
      // Wait for main to return (it prints STOPPED), or for the JVM to end before that.
      while (!Files.readString(out, StandardCharsets.UTF_8).contains(FitAndReturnMain.STOPPED)
          && !p.waitFor(1, TimeUnit.SECONDS) && System.nanoTime() < deadline) {
        // polls once a second
      }
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      String tail = stderr.substring(Math.max(0, stderr.length() - 4000));
      assertThat(Files.readString(out, StandardCharsets.UTF_8))
          .as("the program fits and stops Spark; stderr:\n" + tail)
          .contains(FitAndReturnMain.STOPPED);
      if (!p.waitFor(EXIT_WITHIN_S, TimeUnit.SECONDS)) {
        throw new AssertionError("the JVM did not end within " + EXIT_WITHIN_S + " s after main "
            + "returned; " + Files.readString(err, StandardCharsets.UTF_8).lines()
                .dropWhile(l -> !l.startsWith("still running after")).toList());
      }
      assertThat(p.exitValue()).as(tail).isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
