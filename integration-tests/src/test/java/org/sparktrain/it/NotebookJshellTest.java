package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/notebook.jsh as its header says to run it: jshell from the repository root with the
 * driver jar and driver/target/launcher-classpath.txt (what bin/sparktrain uses), Spark's Java 17
 * flags handed to jshell's execution JVM with -R. Only the run directory moves to a temp folder.
 */
class NotebookJshellTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SCRIPT = ROOT.resolve("examples/notebook.jsh");
  private static final long TIMEOUT_S = 300;
  private static final Pattern ACCURACY = Pattern.compile("(?m)^test accuracy: (\\d\\.\\d+)$");
  /** How jshell reports a snippet that did not compile or threw, on either stream. */
  private static final Pattern JSHELL_ERROR =
      Pattern.compile("(?m)^(\\|  )?(Error:|Exception [\\w.$]+)");

  @TempDir
  Path dir;

  @Test
  void notebookScriptTrainsAndPredicts() throws Exception {
    Path run = dir.resolve("run");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "jshell").toString());
    command.add("--class-path");
    command.add(driverClasspath());
    for (String flag : ChildJvm.SPARK_JAVA17_FLAGS) {
      command.add("-R" + flag);
    }
    command.add("-R-Xmx2g");
    command.add("-R-Dsparktrain.notebook.output=" + run);
    command.add(SCRIPT.toString());
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    // The script ends with /exit; without it jshell would wait for input, so give it none.
    p.getOutputStream().close();
    if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("jshell " + SCRIPT + " did not finish within " + TIMEOUT_S
          + " s; stderr:\n" + Files.readString(err));
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    String both = "stdout:\n" + stdout + "\nstderr:\n" + stderr;

    assertThat(p.exitValue()).as(both).isZero();
    assertThat(JSHELL_ERROR.matcher(stdout).find()).as(both).isFalse();
    assertThat(JSHELL_ERROR.matcher(stderr).find()).as(both).isFalse();
    assertThat(stdout).as(both).doesNotContain("Exception");
    Matcher accuracy = ACCURACY.matcher(stdout);
    assertThat(accuracy.find()).as(both).isTrue();
    assertThat(Double.parseDouble(accuracy.group(1))).as(both).isGreaterThan(0.8);
    assertThat(stdout).contains("TrainingResult[mlp: test accuracy").contains("predicted [")
        .containsPattern("from a table: test accuracy 0\\.(9|8)");
    assertThat(run.resolve("model/model.zip")).exists();
    // Sparktrain.local, the session's first call, turned JavaCPP's resident-size check off
    // before ND4J loaded.
    JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
    assertThat(summary.at("/backend/driver/physicalLimitBytes").asLong()).as(both).isZero();
  }

  /** The driver jar and its dependencies, as `mvn package` of the driver leaves them. */
  private static String driverClasspath() throws IOException {
    Path target = ROOT.resolve("driver/target");
    Path classpathFile = target.resolve("launcher-classpath.txt");
    Path jar;
    try (Stream<Path> files = Files.list(target)) {
      jar = files.filter(f -> f.getFileName().toString().matches("sparktrain-driver-.*\\.jar")
          && !f.getFileName().toString().endsWith("-tests.jar")).findFirst().orElse(null);
    }
    if (jar == null || !Files.exists(classpathFile)) {
      throw new IllegalStateException("no driver jar or " + classpathFile + ": build them with "
          + "mvn -B -DskipTests -pl driver -am package");
    }
    return jar + File.pathSeparator + Files.readString(classpathFile).strip();
  }
}
