package org.sparktrain.it.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real Spark standalone cluster: one Master and one Worker, each a child JVM started from the
 * Maven-made Spark "distribution" ({@code app/target/spark-dist/jars}), bound to 127.0.0.1. The
 * Worker launches executors (and cluster-mode drivers) itself, exactly as on a cluster.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final long START_TIMEOUT_MS = 90_000;

  private final Path sparkHome;
  private final Path logDir;
  private final int masterPort = freePort();
  private final int masterUiPort = freePort();
  private final int workerUiPort = freePort();
  private final List<Process> processes = new ArrayList<>();

  /**
   * @param sparkHome a folder whose {@code jars/} holds Spark's classpath
   * @param workerCores task slots the Worker offers (a cluster-mode driver takes one)
   */
  StandaloneCluster(Path sparkHome, Path logDir, int workerCores, String workerMemory)
      throws IOException, InterruptedException {
    this.sparkHome = sparkHome;
    this.logDir = logDir;
    Files.createDirectories(logDir);
    start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
        "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(masterUiPort));
    awaitMaster(json -> true, "the Master's web UI");
    start("worker", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
        "--cores", String.valueOf(workerCores), "--memory", workerMemory,
        "--webui-port", String.valueOf(workerUiPort),
        "--work-dir", logDir.resolve("work").toString(), masterUrl());
    awaitMaster(json -> json.path("aliveworkers").asInt() > 0, "a registered Worker");
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The Spark line's Scala version, which the build gives this JVM (see the surefire config). */
  private static final String SCALA_VERSION =
      Objects.requireNonNull(System.getenv("SPARK_SCALA_VERSION"), "SPARK_SCALA_VERSION");

  /** What every Spark JVM of this cluster needs in its environment. */
  Map<String, String> environment() {
    return Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_LOCAL_IP", "127.0.0.1",
        "SPARK_SCALA_VERSION", SCALA_VERSION, "SPARK_CONF_DIR", logDir.resolve("conf").toString());
  }

  String classpath() {
    return sparkHome.resolve("jars").toString() + "/*";
  }

  /** The Master's status document ({@code /json/}): workers, apps and drivers with states. */
  JsonNode masterState() throws IOException {
    return new ObjectMapper().readTree(new URL("http://127.0.0.1:" + masterUiPort + "/json/"));
  }

  /**
   * Waits until the driver {@code driverId} has left the active list and returns its final state
   * (FINISHED, FAILED, KILLED, ERROR). In cluster mode this is the only reliable outcome:
   * spark-submit itself exits 0 even when the driver failed.
   */
  String awaitDriverEnd(String driverId, long timeoutMs) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      for (JsonNode d : masterState().path("completeddrivers")) {
        if (driverId.equals(d.path("id").asText())) {
          return d.path("state").asText();
        }
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException("driver " + driverId + " did not end within " + timeoutMs
        + " ms; Master state: " + masterState());
  }

  /** Ids of every driver the Master knows, active or completed. */
  List<String> driverIds() throws IOException {
    List<String> ids = new ArrayList<>();
    JsonNode state = masterState();
    for (String list : List.of("activedrivers", "completeddrivers")) {
      state.path(list).forEach(d -> ids.add(d.path("id").asText()));
    }
    return ids;
  }

  /** The stdout and stderr a cluster-mode driver wrote in the Worker's work folder. */
  String driverLog(String driverId) throws IOException {
    Path dir = logDir.resolve("work").resolve(driverId);
    StringBuilder sb = new StringBuilder();
    for (String name : List.of("stdout", "stderr")) {
      Path f = dir.resolve(name);
      if (Files.exists(f)) {
        sb.append("--- ").append(f).append(" ---\n").append(Files.readString(f)).append('\n');
      }
    }
    return sb.toString();
  }

  private void start(String name, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx512m", "-cp", classpath(), mainClass));
    cmd.addAll(List.of(args));
    Files.createDirectories(logDir.resolve("conf"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(logDir.resolve(name + ".log").toFile());
    pb.environment().putAll(environment());
    processes.add(pb.start());
  }

  private void awaitMaster(Predicate<JsonNode> ready, String what)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (ready.test(masterState())) {
          return;
        }
      } catch (IOException notYet) {
        // The UI is not listening yet.
      }
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a standalone daemon exited with " + p.exitValue()
              + "; see the logs in " + logDir);
        }
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("no " + what + " within " + START_TIMEOUT_MS + " ms; logs in "
        + logDir);
  }

  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
