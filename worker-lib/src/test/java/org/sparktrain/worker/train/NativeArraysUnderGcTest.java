package org.sparktrain.worker.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SIGSEGV in BERT validation (issue 14), reproduced: {@link NativeCopyStress} in a child
 * JVM copies network-output-sized temporaries out of native memory under thousands of young
 * collections a second. glibc is told to map every block over 64 KiB on its own
 * ({@code MALLOC_MMAP_THRESHOLD_}), so a buffer freed during a copy is unmapped and the copy
 * faults, as the reported 16 MB one did, instead of reading stale bytes. Before the fix, every
 * run died within seconds in {@code FloatPointer.get} called from {@code NativeArrays.toFloats}
 * (SEGV_MAPERR, the same libc frame as the report).
 */
class NativeArraysUnderGcTest {
  private static final long RUN_S = 8;
  private static final long TIMEOUT_S = 120;

  @Test
  void copiesOfTemporariesSurviveGarbageCollection(@TempDir Path dir)
      throws IOException, InterruptedException {
    Path out = dir.resolve("stdout.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:+UseSerialGC",
        "-Xmn1m", "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"), "-cp", classpath(),
        NativeCopyStress.class.getName(), String.valueOf(RUN_S), "65536", "4"))
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("MALLOC_MMAP_THRESHOLD_", "65536");
    Process child = pb.start();
    if (!child.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new IllegalStateException("NativeCopyStress did not end within " + TIMEOUT_S + " s");
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(crashReports(dir)).as("JVM crash reports; output:%n%s", output).isEmpty();
    assertThat(child.exitValue()).as(output).isZero();
    assertThat(output).contains("wrong=0").containsPattern("collections=[1-9]");
  }

  private static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null ? cp : System.getProperty("java.class.path");
  }

  private static List<String> crashReports(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("hs_err"))
          .map(f -> f + ":\n" + head(f)).toList();
    }
  }

  private static String head(Path file) {
    try {
      return String.join("\n", Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream()
          .limit(40).toList());
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
