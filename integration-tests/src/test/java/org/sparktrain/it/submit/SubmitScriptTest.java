package org.sparktrain.it.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/submit.sh in its dry-run mode: the command it would run, read argument by argument. A
 * caller's JVM options for driver and executors are merged with ours (our deserialization
 * filter kept), never replacing ours or replaced by them.
 */
class SubmitScriptTest {
  private static final Path REPO = Path.of(System.getProperty("sparktrain.it.repo", ".."))
      .toAbsolutePath().normalize();

  @TempDir
  static Path dir;
  private static String ourFilter;

  @BeforeAll
  static void readFilter() throws IOException {
    ourFilter = Files.readString(REPO.resolve("conf/java-serial-filter")).strip();
    Files.createDirectories(dir.resolve("spark/jars"));
    Files.writeString(dir.resolve("app.jar"), "");
  }

  record Run(int exitCode, List<String> args, String stderr) {
    /** The value of the only {@code --conf KEY=...} for {@code key}. */
    String conf(String key) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i + 1 < args.size(); i++) {
        if (args.get(i).equals("--conf") && args.get(i + 1).startsWith(key + "=")) {
          values.add(args.get(i + 1).substring(key.length() + 1));
        }
      }
      assertThat(values).as("--conf %s in %s", key, args).hasSize(1);
      return values.get(0);
    }
  }

  private static Run submit(String... submitArgs) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash",
        REPO.resolve("deploy/submit.sh").toString()));
    command.addAll(List.of(submitArgs));
    command.addAll(List.of("train", "job.yaml"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(dir.resolve("out.txt").toFile())
        .redirectError(dir.resolve("err.txt").toFile());
    pb.environment().put("SPARK_HOME", dir.resolve("spark").toString());
    pb.environment().put("SPARKTRAIN_JAR", dir.resolve("app.jar").toString());
    pb.environment().put("SPARKTRAIN_SUBMIT_DRY_RUN", "1");
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("submit.sh finished").isTrue();
    return new Run(p.exitValue(), Files.readAllLines(dir.resolve("out.txt"),
        StandardCharsets.UTF_8), Files.readString(dir.resolve("err.txt")));
  }

  @Test
  void withoutOptionsOfTheCallerDriverAndExecutorsGetOurFilter() throws Exception {
    Run r = submit("--master", "spark://m:7077");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.conf("spark.executor.extraJavaOptions"))
        .isEqualTo("-Djdk.serialFilter=" + ourFilter);
    assertThat(r.conf("spark.driver.extraJavaOptions")).contains("--add-opens=java.base/")
        .endsWith(" -Djdk.serialFilter=" + ourFilter);
    // This JVM is the driver in client mode (no bin/spark-submit here): it gets the filter too.
    assertThat(r.args()).contains("-Djdk.serialFilter=" + ourFilter);
  }

  @Test
  void theCallersJavaOptionsAreKeptBesideOurs() throws Exception {
    Run r = submit("--conf", "spark.executor.extraJavaOptions=-Dexec.flag=1 -XX:+UseG1GC",
        "--driver-java-options", "-Ddriver.flag=2", "--conf", "spark.cores.max=4");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.conf("spark.executor.extraJavaOptions"))
        .isEqualTo("-Dexec.flag=1 -XX:+UseG1GC -Djdk.serialFilter=" + ourFilter);
    assertThat(r.conf("spark.driver.extraJavaOptions")).contains("--add-opens=java.base/")
        .contains(" -Ddriver.flag=2 ").endsWith(" -Djdk.serialFilter=" + ourFilter);
    assertThat(r.args()).doesNotContain("--driver-java-options").contains("-Ddriver.flag=2");
    assertThat(r.conf("spark.cores.max")).isEqualTo("4");

    Run c = submit("-c", "spark.driver.extraJavaOptions=-Dd=3", "--conf=spark.executor."
        + "extraJavaOptions=-De=4");
    assertThat(c.conf("spark.driver.extraJavaOptions")).contains(" -Dd=3 ")
        .endsWith(ourFilter);
    assertThat(c.conf("spark.executor.extraJavaOptions"))
        .isEqualTo("-De=4 -Djdk.serialFilter=" + ourFilter);
  }

  @Test
  void theCallersFilterIsCombinedWithOursAndCanOnlyTightenIt() throws Exception {
    Run r = submit("--conf", "spark.executor.extraJavaOptions=-Djdk.serialFilter="
        + "maxdepth=7;com.acme.**;maxbytes=9999999999999;!*");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    String options = r.conf("spark.executor.extraJavaOptions");
    assertThat(options).startsWith("-Djdk.serialFilter=").doesNotContain(" ");
    String combined = options.substring("-Djdk.serialFilter=".length());
    List<String> parts = List.of(combined.split(";"));
    List<String> ours = List.of(ourFilter.split(";"));
    // Our limits, the caller's stricter maxdepth, then our class patterns before theirs.
    assertThat(parts).contains("maxdepth=7").doesNotContain("maxbytes=9999999999999")
        .containsSubsequence(ours.stream().filter(p -> !p.startsWith("max")).toList())
        .endsWith("com.acme.**", "!*");
    for (String limit : ours.stream().filter(p -> p.startsWith("max")
        && !p.startsWith("maxdepth=")).toList()) {
      assertThat(parts).contains(limit);
    }
    assertThat(parts.indexOf(ours.stream().filter(p -> p.startsWith("!")).findFirst()
        .orElseThrow())).isLessThan(parts.indexOf("com.acme.**"));
  }

  @Test
  void aFilterLimitThatIsNotOneIsRefused() throws Exception {
    Run r = submit("--conf", "spark.driver.extraJavaOptions=-Djdk.serialFilter=maxdepht=3");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr().strip()).isEqualTo("submit.sh: -Djdk.serialFilter: 'maxdepht=3' is "
        + "not a limit; allowed: maxdepth, maxrefs, maxbytes, maxarray with a whole number, "
        + "e.g. maxdepth=100");
    assertThat(r.args()).isEmpty();
  }
}
