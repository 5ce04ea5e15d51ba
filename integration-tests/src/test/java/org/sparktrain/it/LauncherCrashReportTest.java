package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/sparktrain when its JVM crashes: the report ({@code hs_err_pid*.log}) goes to
 * SPARKTRAIN_CRASH_DIR (default the temp folder), never into the caller's working directory,
 * and the launcher names it on stderr. The crash is a real one: HotSpot's
 * {@code -XX:+CrashOnOutOfMemoryError} with a heap too small to start, which writes the same
 * report as a native fault.
 */
class LauncherCrashReportTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final long TIMEOUT_S = 120;
  /** HotSpot ends a crashed JVM with abort(): SIGABRT, 128 + 6. */
  private static final int ABORTED = 134;

  @TempDir
  Path dir;

  @Test
  void crashReportGoesToTheCrashFolderAndIsNamed() throws Exception {
    Path workDir = Files.createDirectory(dir.resolve("work"));
    Path crashDir = dir.resolve("crashes");
    Path spec = workDir.resolve("job.yaml");
    Files.writeString(spec, String.join("\n",
        "data: {uri: " + ROOT.resolve("examples/digits.csv.gz").toUri() + ", format: csv,",
        "  numClasses: 10}",
        "model: {name: mlp, hidden: [8]}",
        "output: {dir: " + dir.resolve("run").toUri() + "}", ""));
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder pb = new ProcessBuilder(List.of(ROOT.resolve("bin/sparktrain").toString(),
        "train", spec.toString())).directory(workDir.toFile())
        .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(err.toFile());
    pb.environment().put("SPARKTRAIN_CRASH_DIR", crashDir.toString());
    pb.environment().put("SPARKTRAIN_JAVA_OPTS",
        "-XX:G1HeapRegionSize=1m -Xmx24m -XX:+CrashOnOutOfMemoryError");
    Process p = pb.start();
    if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bin/sparktrain did not end within " + TIMEOUT_S + " s");
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);

    assertThat(p.exitValue()).as(stderr).isEqualTo(ABORTED);
    List<Path> reports = list(crashDir);
    assertThat(reports).as(stderr).hasSize(1);
    Path report = reports.get(0);
    assertThat(report.getFileName().toString()).matches("sparktrain-hs_err_pid\\d+\\.log");
    assertThat(Files.readString(report, StandardCharsets.ISO_8859_1))
        .contains("OutOfMemory encountered");
    assertThat(stderr).contains("sparktrain: the JVM crashed, its crash report is " + report);
    assertThat(list(workDir)).containsExactly(spec);
  }

  private static List<Path> list(Path folder) throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      return files.toList();
    }
  }
}
