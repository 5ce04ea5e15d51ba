package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark's own Java-serialized traffic (RPC, task closures, task results) on train, evaluate and
 * crossval, through the command line, with the JVM-wide filter of conf/java-serial-filter on the
 * driver and on every executor JVM: every run succeeds, and {@link SerialTrafficRecorder} shows
 * how close each run came to the filter's maxdepth, maxrefs, maxbytes and maxarray limits
 * (printed per run; README "Reliability" has the numbers and the margins chosen).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SerialFilterLimitsTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  private static final Path DIGITS = Path.of("../examples/digits.csv.gz").toAbsolutePath()
      .normalize();
  private static final String LOCAL_CLUSTER = "local-cluster[2,1,1024]";

  @TempDir
  static Path dir;

  /** Per run: the largest depth, references, bytes and array length seen in any of its JVMs. */
  private static final Map<String, Map<String, Long>> SEEN = new LinkedHashMap<>();

  private static Path spec(String name, String sync, String hidden) throws IOException {
    return spec(name, sync, hidden, "{uri: '" + DIGITS + "', numClasses: 10}");
  }

  private static Path spec(String name, String sync, String hidden, String data)
      throws IOException {
    Path spec = dir.resolve(name + ".yaml");
    Files.writeString(spec, """
        data: %s
        model: {name: mlp, hidden: %s}
        train: {epochs: 2, batchSize: 16, workers: 2, averagingFrequency: 5,
                optimizer: {name: adam, learningRate: 0.003}, threadsPerWorker: 1, sync: %s}
        output: {dir: %s}
        """.formatted(data, hidden, sync, dir.resolve(name)));
    return spec;
  }

  /** Runs the command line with the filter (and the recorder) on the driver and executors. */
  private static ChildJvm.Result cli(String name, String master, String... args)
      throws Exception {
    Path record = Files.createDirectories(dir.resolve("serial-" + name));
    List<String> filterAndRecorder = List.of("-Djdk.serialFilter="
        + SerialFilterPattern.configured(), "-Djdk.serialFilterFactory="
        + SerialTrafficRecorder.class.getName(), "-D" + SerialTrafficRecorder.DIR_PROPERTY + "="
        + record);
    List<String> jvm = new ArrayList<>(filterAndRecorder);
    if (master.startsWith("local-cluster")) {
      Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
      jvm.add("-Dspark.executor.extraClassPath=" + ChildJvm.testClasspath());
      jvm.add("-Dspark.executor.extraJavaOptions=" + String.join(" ", filterAndRecorder));
      jvm.add("-Dspark.executor.memory=1024m");
      jvm.add("-Dspark.executor.memoryOverhead=512m");
    }
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--master");
    all.add(master);
    ChildJvm.Result r = ChildJvm.run(dir, jvm, Map.of(), MAIN, all.toArray(String[]::new));
    assertThat(r.exitCode()).as("%s exit code; stderr:\n%s", name, r.stderr()).isZero();
    SEEN.put(name, maxima(record));
    System.out.println("serial traffic of " + name + ": " + SEEN.get(name));
    return r;
  }

  private static Map<String, Long> maxima(Path record) throws IOException {
    Map<String, Long> max = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(record)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".properties")).toList()) {
        Properties p = new Properties();
        try (var in = Files.newInputStream(f)) {
          p.load(in);
        }
        for (String key : List.of("maxdepth", "maxrefs", "maxbytes", "maxarray")) {
          max.merge(key, Long.parseLong(p.getProperty(key)), Math::max);
        }
      }
    }
    return max;
  }

  @Test
  @Order(1)
  void trainEvaluateAndCrossvalRunWithTheFilterOnEveryJvm() throws Exception {
    cli("cluster-driver", LOCAL_CLUSTER, "train",
        spec("cluster-driver", "driver", "[64]").toString());
    cli("cluster-collective", LOCAL_CLUSTER, "train",
        spec("cluster-collective", "collective", "[64]").toString());
    cli("cluster-evaluate", LOCAL_CLUSTER, "evaluate", "--model",
        dir.resolve("cluster-driver/model").toString(), "--data", DIGITS.toString());
    cli("local-crossval", "local[2]", "crossval", "--folds", "2",
        spec("local-crossval", "driver", "[64]").toString());
    // Spark SQL's plans travel in the task closures of a table input: the deepest and most
    // referenced streams measured.
    cli("cluster-query", LOCAL_CLUSTER, "train", spec("cluster-query", "collective", "[64]",
        "{query: \"SELECT * FROM csv.`" + DIGITS + "`\", labelColumn: _c64, numClasses: 10}")
        .toString());
    // What the README's numbers also came from (-Dsparktrain.serial.measureAll=true): local
    // mode (the same traffic in one JVM) and a larger model (bytes grow with the parameters).
    if (Boolean.getBoolean("sparktrain.serial.measureAll")) {
      cli("local-driver", "local[2]", "train", spec("local-driver", "driver", "[64]").toString());
      cli("local-collective", "local[2]", "train",
          spec("local-collective", "collective", "[64]").toString());
      cli("cluster-driver-large", LOCAL_CLUSTER, "train",
          spec("cluster-driver-large", "driver", "[512, 512]").toString());
      cli("cluster-collective-large", LOCAL_CLUSTER, "train",
          spec("cluster-collective-large", "collective", "[512, 512]").toString());
    }
    Map<String, Long> limits = SerialFilterPattern.limits(SerialFilterPattern.configured());
    for (var run : SEEN.entrySet()) {
      for (var limit : limits.entrySet()) {
        assertThat(run.getValue().get(limit.getKey())).as("%s of %s", limit.getKey(),
            run.getKey()).isLessThanOrEqualTo(limit.getValue());
      }
    }
  }
}
