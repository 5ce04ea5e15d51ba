package org.sparktrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.activations.Activation;
import org.sparktrain.worker.backend.MachinePeak;
import org.sparktrain.worker.backend.PeakGemm;
import org.sparktrain.worker.backend.ResidentSizeCheck;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.TrainingFlops;

/**
 * The spine benchmark: for each repetition, runs every configuration once, in order
 * (interleaved, so slow drifts of the machine hit all systems alike), each in a fresh child JVM:
 * <ul>
 *   <li>{@code a}: {@link SingleJvmRunner}, plain single-JVM DL4J {@code fit};
 *   <li>{@code bH}: {@link SparktrainRunner}, sparktrain on local[2] with averaging frequency H,
 *       the driver averaging ({@code train.sync: driver});
 *   <li>{@code dH}: the same with the workers averaging among themselves
 *       ({@code train.sync: collective});
 *   <li>{@code tH}: collective with every worker reached over TCP (no in-JVM hand-off);
 *   <li>{@code eH}: {@code tH} with {@code spark.authenticate} and Spark's network encryption on,
 *       so the data plane's handshakes and AES-GCM records are in the measurement;
 *   <li>{@code cH}: DL4J's dl4j-spark ParameterAveragingTrainingMaster at the same H
 *       ({@code benchmarks/dl4j-spark-baseline/run.sh}).
 * </ul>
 * Collects each child's JSON line, computes per-configuration medians and the ratios b/a and b/c
 * per H, prints a Markdown table, and writes raw results + summary as JSON ({@code --out}) and the
 * table as Markdown (same name, {@code .md}).
 */
public final class SpineBenchmark {
  private static final String WHO = "spine";
  /** The workload's MLP, by TrainingFlops' convention (multiply-add 2, training 3 x forward). */
  static final long P1_TRAINING_FLOPS = TrainingFlops.perExample(new MlpConfig(
      new int[] {256, 256}, Activation.RELU, 0, false), 784, 10).getAsLong();
  static final String DEFAULT_CONFIGS = "a,a1,a1g,p,pg,b1,b5,b20,d1,d5,d20,c1,c5,c20";
  static final String USAGE = "usage: SpineBenchmark --mnist DIR [--reps 1] [--configs "
      + DEFAULT_CONFIGS + "] [--limit N] [--warmup-epochs 1] [--timed-epochs 3]"
      + " [--out benchmarks/results/spine.json] [--md OUT.md] [--child-java-opts -Xmx6g]"
      + " [--child-timeout-min 120] [--omp-threads N] [--lines spark4,spark3.5]";

  /**
   * One configuration of the benchmark: a, bH, cH, dH, p, torch...
   *
   * @param ompThreads OMP_NUM_THREADS for the child, 0 = ND4J's default. "a1" is the single JVM
   *     tuned to one OpenMP thread, which on this 2-vCPU machine is faster than ND4J's default
   *     of one thread per core: the honest baseline to beat.
   * @param kernels spark.sparktrain.native for the child: "" = auto (the best build this CPU
   *     runs); "generic" for the a1g / pg rows, the kernels sparktrain shipped before
   * @param line the Spark line whose build the child runs ({@code --lines}; see
   *     benchmarks/build-line.sh), "" = the benchmark module's own class path
   */
  record Config(String name, char system, int h, int ompThreads, String kernels, String line) {
    Config(String name, char system, int h) {
      this(name, system, h, 0, "", "");
    }

    Config(String name, char system, int h, int ompThreads) {
      this(name, system, h, ompThreads, "", "");
    }

    Config(String name, char system, int h, int ompThreads, String kernels) {
      this(name, system, h, ompThreads, kernels, "");
    }

    /** The same configuration on one Spark line's build: named NAME/LINE, e.g. d5/spark3.5. */
    Config onLine(String l) {
      return new Config(name + "/" + l, system, h, ompThreads, kernels, l);
    }

    /** The name of the configuration {@code base} (a1, p, c5) on this one's line. */
    String sameLine(String base) {
      return line.isEmpty() ? base : base + "/" + line;
    }

    /** This configuration's name without its line. */
    String baseName() {
      return line.isEmpty() ? name : name.substring(0, name.length() - line.length() - 1);
    }

    static Config parse(String s) {
      String t = s.trim();
      if (t.equals("a")) {
        return new Config("a", 'a', 0);
      }
      if (t.equals("a1")) {
        return new Config("a1", 'a', 0, 1);
      }
      if (t.equals("p")) {
        return new Config("p", 'p', 0, 1);
      }
      if (t.equals("a1g")) {
        return new Config("a1g", 'a', 0, 1, "generic");
      }
      if (t.equals("pg")) {
        return new Config("pg", 'p', 0, 1, "generic");
      }
      // The third anchor: PyTorch on the CPU (benchmarks/pytorch-p1.py), one thread; torch2 is two
      // such processes at once, PyTorch's own "limit".
      if (t.equals("torch")) {
        return new Config("torch", 'y', 0, 1);
      }
      if (t.equals("torch2")) {
        return new Config("torch2", 'w', 0, 1);
      }
      // a1@avx2, p@onednn-avx2: the same with the kernels named (spark.sparktrain.native).
      if ((t.startsWith("a1@") || t.startsWith("p@")) && t.indexOf('@') < t.length() - 1) {
        return new Config(t, t.charAt(0), 0, 1, t.substring(t.indexOf('@') + 1));
      }
      if ((t.startsWith("b") || t.startsWith("c") || t.startsWith("d") || t.startsWith("t")
          || t.startsWith("e")) && t.length() > 1) {
        try {
          int h = Integer.parseInt(t.substring(1));
          if (h >= 1) {
            return new Config(t, t.charAt(0), h);
          }
        } catch (NumberFormatException e) {
          // fall through
        }
      }
      throw new IllegalArgumentException("bad config '" + s + "' (a, a1, a1g, a1@KERNELS, p, pg, "
          + "p@KERNELS, torch, torch2, bH, cH, dH, tH or eH with H >= 1)");
    }

    /** Whether the child runs sparktrain's or Spark's classes (not dl4j-spark's, not PyTorch). */
    boolean runsOnSpark() {
      return system != 'c' && system != 'y' && system != 'w';
    }

    boolean isSparktrain() {
      return system == 'b' || system == 'd' || system == 't' || system == 'e';
    }

    String systemName() {
      return kernels.isEmpty() ? baseSystemName() : baseSystemName() + ", " + kernels
          + " kernels";
    }

    private String baseSystemName() {
      return switch (system) {
        case 'a' -> ompThreads > 0 ? "single-jvm (OMP " + ompThreads + ")" : "single-jvm";
        case 'b' -> "sparktrain driver";
        case 'd' -> "sparktrain collective";
        case 't' -> "sparktrain collective, TCP only";
        case 'e' -> "sparktrain collective, TCP, spark.authenticate + network crypto";
        case 'p' -> "physical limit: two a1 JVMs at once";
        case 'y' -> "PyTorch on the CPU, 1 thread";
        case 'w' -> "PyTorch, two 1-thread processes at once";
        default -> "dl4j-spark";
      };
    }
  }

  private SpineBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("mnist", "reps", "configs", "limit",
        "warmup-epochs", "timed-epochs", "out", "md", "child-java-opts", "child-timeout-min", "omp-threads", "lines"),
        USAGE);
    if (!args.has("mnist")) {
      BenchArgs.fail("--mnist DIR is required", USAGE);
    }
    Path mnist = Path.of(args.string("mnist", null)).toAbsolutePath();
    int reps = args.integer("reps", 1, 1, USAGE);
    List<Config> configs = new ArrayList<>();
    try {
      for (String c : args.string("configs", DEFAULT_CONFIGS).split(",")) {
        if (!c.isBlank()) {
          configs.add(Config.parse(c));
        }
      }
    } catch (IllegalArgumentException e) {
      BenchArgs.fail(e.getMessage(), USAGE);
    }
    // --lines: every configuration once per Spark line, interleaved within each repetition, each
    // from that line's private build (benchmarks/build-line.sh). dl4j-spark (c) has one line,
    // PyTorch none.
    List<String> lines = args.has("lines") ? split(args.string("lines", "").replace(',', ' '))
        : List.of();
    if (!lines.isEmpty()) {
      List<Config> perLine = new ArrayList<>();
      for (Config c : configs) {
        if (!c.runsOnSpark()) {
          perLine.add(c);
        } else {
          lines.forEach(l -> perLine.add(c.onLine(l)));
        }
      }
      configs = perLine;
    }
    int limit = args.integer("limit", 0, 0, USAGE);
    int warmup = args.integer("warmup-epochs", 1, 0, USAGE);
    int timed = args.integer("timed-epochs", 3, 1, USAGE);
    Path benchDir = benchmarksDir();
    Path out = Path.of(args.string("out",
        benchDir.resolve("results").resolve("spine.json").toString())).toAbsolutePath();
    String outName = out.getFileName().toString();
    Path md = Path.of(args.string("md", out.resolveSibling(
        (outName.endsWith(".json") ? outName.substring(0, outName.length() - 5) : outName)
            + ".md").toString())).toAbsolutePath();
    // Every child, baselines included, runs with JavaCPP's resident-size check off, as
    // sparktrain's own JVMs do (ResidentSizeCheck): the limit p is what the hardware does at best.
    List<String> childOpts = split(args.string("child-java-opts",
        "-Xmx6g -XX:G1HeapRegionSize=32m " + ResidentSizeCheck.OFF));
    long timeoutMin = args.integer("child-timeout-min", 120, 1, USAGE);
    // Unset: each system keeps its own default (ND4J: one OpenMP thread per core; sparktrain caps
    // each worker at cores / workers itself).
    String ompThreads = args.has("omp-threads")
        ? Integer.toString(args.integer("omp-threads", 0, 1, USAGE)) : null;
    double load = loadAverage();
    if (load > 0.5) {
      BenchJson.log(WHO, String.format(Locale.ROOT, "WARNING: 1-minute load average is %.2f before "
          + "the first run: other processes compete for the cores and ND4J's OpenMP threads "
          + "degrade badly under contention; results will not be representative", load));
    }
    Files.createDirectories(out.getParent());
    Path logDir = Files.createDirectories(out.getParent().resolve("logs"));

    Launcher launcher = new Launcher(benchDir, childOpts, logDir, timeoutMin, ompThreads, lines);
    Map<String, Object> workload = new LinkedHashMap<>();
    workload.put("data", "MNIST " + mnist + (limit > 0 ? " (first " + limit + " train)" : ""));
    workload.put("model", "MLP 784-256-256-10 ReLU, softmax + cross-entropy");
    workload.put("optimizer", "Adam 1e-3");
    workload.put("batchPerWorker", 32);
    workload.put("workers", 2);
    workload.put("master", "local[2]");
    workload.put("warmupEpochs", warmup);
    workload.put("timedEpochs", timed);
    workload.put("limit", limit);

    // Measured here, before any child runs, so it has the cores to itself; the children load
    // the same native build from the same classpath.
    MachinePeak peak = PeakGemm.measured();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "spine");
    doc.put("peak", peak.toMap());
    doc.put("started", Instant.now().toString());
    doc.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    doc.put("javaVersion", System.getProperty("java.version"));
    doc.put("loadAverageAtStart", BenchJson.round(load, 2));
    doc.put("ompNumThreads", ompThreads != null ? ompThreads : System.getenv("OMP_NUM_THREADS"));
    doc.put("childJavaOpts", String.join(" ", childOpts));
    doc.put("workload", workload);
    doc.put("reps", reps);
    doc.put("configs", configs.stream().map(Config::name).toList());
    if (!lines.isEmpty()) {
      doc.put("lines", launcher.sparkVersions());
    }
    List<Map<String, Object>> runs = new ArrayList<>();
    doc.put("runs", runs);

    for (int rep = 1; rep <= reps; rep++) {
      for (Config c : configs) {
        List<String> common = new ArrayList<>(List.of("--mnist", mnist.toString(),
            "--warmup-epochs", Integer.toString(warmup), "--timed-epochs",
            Integer.toString(timed)));
        if (limit > 0) {
          common.addAll(List.of("--limit", Integer.toString(limit)));
        }
        BenchJson.log(WHO, "rep " + rep + "/" + reps + ", config " + c.name() + " ("
            + c.systemName() + (c.h() > 0 ? ", H=" + c.h() : "") + "): starting");
        Map<String, Object> run = launcher.run(rep, c, common);
        runs.add(run);
        BenchJson.log(WHO, "rep " + rep + "/" + reps + ", config " + c.name() + ": "
            + describe(run));
        Files.writeString(out, BenchJson.MAPPER.writerWithDefaultPrettyPrinter()
            .writeValueAsString(doc), StandardCharsets.UTF_8);
      }
    }

    Summary summary = Summary.of(configs, runs, reps);
    String table = summary.markdown(workload, reps, Runtime.getRuntime().availableProcessors(),
        load, peak);
    doc.put("finished", Instant.now().toString());
    doc.put("summary", summary.rows());
    doc.put("ratios", summary.ratios());
    if (!summary.lineComparison().isEmpty()) {
      doc.put("lineComparison", summary.lineComparison());
    }
    doc.put("markdown", table);
    Files.writeString(out, BenchJson.MAPPER.writerWithDefaultPrettyPrinter()
        .writeValueAsString(doc), StandardCharsets.UTF_8);
    Files.writeString(md, table, StandardCharsets.UTF_8);
    System.out.println(table);
    BenchJson.log(WHO, "wrote " + out + " and " + md + " (child logs in " + logDir + ")");
  }

  private static String describe(Map<String, Object> run) {
    if (run.containsKey("error")) {
      return "FAILED: " + run.get("error");
    }
    JsonNode r = (JsonNode) run.get("result");
    return String.format(Locale.ROOT, "%.0f ex/s, test accuracy %s, child wall %.0f s",
        r.path("examplesPerSec").asDouble(), r.path("testAccuracy").asText(),
        ((Number) run.get("wallSeconds")).doubleValue());
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean()
        .getSystemLoadAverage();
  }

  /** benchmarks/ (this class is loaded from benchmarks/target/classes). */
  static Path benchmarksDir() throws URISyntaxException {
    Path classes = Path.of(SpineBenchmark.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    Path dir = classes.getParent().getParent();
    if (!Files.isRegularFile(dir.resolve("pom.xml"))
        || !Files.isDirectory(dir.resolve("dl4j-spark-baseline"))) {
      throw new IllegalStateException("run SpineBenchmark from benchmarks/target/classes (found "
          + classes + "); use benchmarks/run-spine.sh");
    }
    return dir;
  }

  static List<String> split(String s) {
    List<String> parts = new ArrayList<>();
    for (String p : s.trim().split("\\s+")) {
      if (!p.isEmpty()) {
        parts.add(p);
      }
    }
    return parts;
  }

  /** Starts child JVMs / the baseline script and collects their JSON lines. */
  static final class Launcher {
    private final Path benchDir;
    private final List<String> childOpts;
    private final Path logDir;
    private final long timeoutMin;
    private final String java;
    private final List<String> opens;
    /** The children's class path per Spark line; "" = the benchmark module's own. */
    private final Map<String, String> classpaths = new LinkedHashMap<>();
    private final Map<String, String> sparkVersions = new LinkedHashMap<>();
    private final String ompThreads;

    Launcher(Path benchDir, List<String> childOpts, Path logDir, long timeoutMin,
        String ompThreads, List<String> lines) throws IOException {
      this.ompThreads = ompThreads;
      this.benchDir = benchDir;
      this.childOpts = childOpts;
      this.logDir = logDir;
      this.timeoutMin = timeoutMin;
      this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Properties p = new Properties();
      try (InputStream in = SpineBenchmark.class.getResourceAsStream("/spine.properties")) {
        if (in == null) {
          throw new IllegalStateException("spine.properties missing: build the benchmarks module");
        }
        p.load(in);
      }
      this.opens = split(p.getProperty("java17.opens", ""));
      if (opens.isEmpty() || opens.get(0).startsWith("${")) {
        throw new IllegalStateException("spine.properties was not filtered by Maven");
      }
      Path cpFile = benchDir.resolve("target").resolve("classpath.txt");
      if (!Files.isRegularFile(cpFile)) {
        throw new IllegalStateException(cpFile + " missing: run mvn package -pl benchmarks");
      }
      classpaths.put("", benchDir.resolve("target").resolve("classes") + File.pathSeparator
          + Files.readString(cpFile).trim());
      for (String line : lines) {
        Path lineDir = benchDir.resolve("line-builds").resolve(line);
        if (!Files.isRegularFile(lineDir.resolve("classpath.txt"))) {
          throw new IllegalStateException(lineDir.resolve("classpath.txt") + " missing: run "
              + "benchmarks/build-line.sh " + line + " (or run-spine.sh --lines)");
        }
        classpaths.put(line, Files.readString(lineDir.resolve("classpath.txt")).trim());
        Path version = lineDir.resolve("spark-version.txt");
        sparkVersions.put(line, Files.isRegularFile(version)
            ? Files.readString(version).trim() : "unknown");
      }
    }

    /** Which Spark each line's build holds (spark-core_SCALA/VERSION). */
    Map<String, String> sparkVersions() {
      return sparkVersions;
    }

    Map<String, Object> run(int rep, Config c, List<String> common) throws Exception {
      if (c.system() == 'p' || c.system() == 'w') {
        return runPair(rep, c, common);
      }
      return finish(rep, c, start(rep, c, common, ""));
    }

    /**
     * The physical limit of two workers on this machine: two single-thread single-JVM runs at
     * once, no synchronization at all (p; w: two PyTorch processes). Their rates add up.
     */
    private Map<String, Object> runPair(int rep, Config c, List<String> common)
        throws Exception {
      Config single = new Config(c.name(), c.system() == 'w' ? 'y' : 'a', 0, 1, c.kernels(),
          c.line());
      Started first = start(rep, single, common, "-p1");
      Started second = start(rep, single, common, "-p2");
      Map<String, Object> a = finish(rep, c, first);
      Map<String, Object> b = finish(rep, c, second);
      if (a.containsKey("error") || b.containsKey("error")) {
        return a.containsKey("error") ? a : b;
      }
      JsonNode ra = (JsonNode) a.get("result");
      JsonNode rb = (JsonNode) b.get("result");
      ObjectNode both = ra.deepCopy();
      both.put("examplesPerSec", ra.path("examplesPerSec").asDouble()
          + rb.path("examplesPerSec").asDouble());
      // Per timed epoch: the time in which the two together would process one epoch's examples.
      ArrayNode epochs = both.putArray("epochSeconds");
      for (int i = 0; i < ra.path("epochSeconds").size(); i++) {
        double sa = ra.path("epochSeconds").get(i).asDouble();
        double sb = rb.path("epochSeconds").path(i).asDouble(sa);
        epochs.add(1 / (1 / sa + 1 / sb));
      }
      a.put("system", c.systemName());
      a.put("result", both);
      a.put("pair", List.of(ra, rb));
      return a;
    }

    private record Started(Process process, Path stdout, Path stderr, Path tmpOut,
        Map<String, Object> run, long t0) {}

    private Started start(int rep, Config c, List<String> common, String suffix)
        throws Exception {
      List<String> cmd = new ArrayList<>();
      Path tmpOut = null;
      if (c.system() == 'y') {
        // run-spine.sh finds the python3 that has torch (Debian's may be hidden behind pyenv).
        cmd.addAll(List.of(Objects.requireNonNullElse(System.getenv("TORCH_PYTHON"), "python3"),
            benchDir.resolve("pytorch-p1.py").toString()));
        cmd.addAll(common);
        cmd.addAll(List.of("--threads", "1", "--seed", "42"));
        if (rep == 1 && !suffix.equals("-p2")) {
          cmd.add("--show-config");  // the build on record, once per configuration
        }
      } else if (c.system() == 'c') {
        tmpOut = Files.createTempFile("spine-dl4j-spark", ".jsonl");
        cmd.add(benchDir.resolve("dl4j-spark-baseline").resolve("run.sh").toString());
        cmd.addAll(common);
        cmd.addAll(List.of("--averaging-frequency", Integer.toString(c.h()), "--workers", "2",
            "--batch", "32", "--seed", "42", "--output", tmpOut.toString()));
      } else {
        cmd.add(java);
        cmd.addAll(opens);
        cmd.addAll(childOpts);
        Path log4j = benchDir.getParent().resolve("conf").resolve("log4j2.properties");
        if (Files.isRegularFile(log4j)) {
          cmd.add("-Dlog4j2.configurationFile=" + log4j);
        }
        if (!c.kernels().isEmpty()) {
          cmd.add("-Dspark.sparktrain.native=" + c.kernels());
        }
        if (c.system() == 't' || c.system() == 'e') {
          cmd.add("-Dspark.sparktrain.sync.sameJvmHandOff=false");
        }
        if (c.system() == 'e') {
          // A fresh secret per child; with it Spark's own RPC and sparktrain's data plane are
          // authenticated and encrypted.
          cmd.add("-Dspark.authenticate=true");
          cmd.add("-Dspark.authenticate.secret=" + UUID.randomUUID());
          cmd.add("-Dspark.network.crypto.enabled=true");
        }
        cmd.addAll(List.of("-cp", classpaths.get(c.line())));
        if (c.system() == 'a') {
          cmd.add(SingleJvmRunner.class.getName());
          cmd.addAll(common);
        } else {
          cmd.add(SparktrainRunner.class.getName());
          cmd.addAll(common);
          cmd.addAll(List.of("--averaging-frequency", Integer.toString(c.h()), "--workers",
              "2", "--master", "local[2]", "--batch", "32", "--seed", "42", "--sync",
              c.system() == 'b' ? "driver" : "collective"));
        }
      }
      String base = "spine-r" + rep + "-" + c.name().replace('/', '-') + suffix;
      Path stdout = logDir.resolve(base + ".out");
      Path stderr = logDir.resolve(base + ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectOutput(stdout.toFile())
          .redirectError(stderr.toFile());
      pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      pb.environment().put("JAVA", java);
      if (ompThreads != null) {
        pb.environment().put("OMP_NUM_THREADS", ompThreads);
      }
      if (c.ompThreads() > 0) {
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(c.ompThreads()));
      }
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("rep", rep);
      run.put("config", c.name());
      run.put("system", c.systemName());
      if (!c.line().isEmpty()) {
        run.put("line", c.line());
      }
      if (c.h() > 0) {
        run.put("averagingFrequency", c.h());
      }
      run.put("log", stderr.toString());
      run.put("loadAverageBefore", BenchJson.round(loadAverage(), 2));
      return new Started(pb.start(), stdout, stderr, tmpOut, run, System.nanoTime());
    }

    private Map<String, Object> finish(int rep, Config c, Started started) throws Exception {
      Process p = started.process();
      Path stdout = started.stdout();
      Path stderr = started.stderr();
      Path tmpOut = started.tmpOut();
      Map<String, Object> run = started.run();
      long t0 = started.t0();
      boolean done = p.waitFor(timeoutMin, TimeUnit.MINUTES);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
      }
      run.put("wallSeconds", BenchJson.round((System.nanoTime() - t0) / 1e9, 1));
      run.put("exitCode", p.exitValue());
      String json = lastJsonLine(stdout);
      if (json == null && tmpOut != null) {
        json = lastJsonLine(tmpOut);
      }
      if (tmpOut != null) {
        Files.deleteIfExists(tmpOut);
      }
      if (!done) {
        run.put("error", "timed out after " + timeoutMin + " min; see " + stderr);
      } else if (p.exitValue() != 0 || json == null) {
        run.put("error", "exit code " + p.exitValue() + (json == null ? ", no JSON line" : "")
            + "; see " + stderr + ": " + tail(stderr, 3));
      } else {
        run.put("result", BenchJson.MAPPER.readTree(json));
      }
      return run;
    }

    private static String lastJsonLine(Path file) throws IOException {
      if (!Files.isRegularFile(file)) {
        return null;
      }
      String last = null;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith("{")) {
          last = line;
        }
      }
      return last;
    }

    private static String tail(Path file, int lines) {
      try {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
      } catch (IOException e) {
        return "(cannot read log: " + e.getMessage() + ")";
      }
    }
  }

  /**
   * Per-configuration medians and the ratios b/a and b/c per H.
   *
   * @param lineComparison with --lines: per configuration, ex/s and fraction of that line's
   *     limit on each line, and each line's ex/s over the first line's
   */
  record Summary(List<Map<String, Object>> rows, List<Map<String, Object>> ratios,
      List<Map<String, Object>> lineComparison) {

    static Summary of(List<Config> configs, List<Map<String, Object>> runs, int reps) {
      List<Map<String, Object>> rows = new ArrayList<>();
      Map<String, Double> median = new LinkedHashMap<>();
      for (Config c : configs) {
        List<JsonNode> results = new ArrayList<>();
        int failed = 0;
        for (Map<String, Object> run : runs) {
          if (run.get("config").equals(c.name())) {
            if (run.containsKey("result")) {
              results.add((JsonNode) run.get("result"));
            } else {
              failed++;
            }
          }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("config", c.name());
        row.put("system", c.systemName());
        row.put("averagingFrequency", c.h() > 0 ? c.h() : null);
        row.put("okRuns", results.size());
        row.put("failedRuns", failed);
        double eps;
        String basis;
        if (results.isEmpty()) {
          eps = Double.NaN;
          basis = "no successful run";
        } else if (reps == 1) {
          // One run: the median of its per-epoch rates.
          JsonNode r = results.get(0);
          double n = r.path("trainExamples").asDouble();
          List<Double> rates = new ArrayList<>();
          r.path("epochSeconds").forEach(s -> rates.add(n / s.asDouble()));
          eps = BenchJson.median(rates.stream().mapToDouble(Double::doubleValue).toArray());
          basis = "median of " + rates.size() + " timed epochs of 1 run";
        } else {
          eps = BenchJson.median(results.stream()
              .mapToDouble(r -> r.path("examplesPerSec").asDouble()).toArray());
          basis = "median of " + results.size() + " runs' examplesPerSec";
        }
        median.put(c.name(), eps);
        row.put("medianExamplesPerSec", BenchJson.round(eps, 1));
        row.put("medianGflopsPerSec", BenchJson.round(eps * P1_TRAINING_FLOPS / 1e9, 2));
        row.put("medianBasis", basis);
        row.put("testAccuracy", BenchJson.round(medianOf(results, "testAccuracy"), 4));
        if (c.isSparktrain()) {
          row.put("meanComputeMs", BenchJson.round(medianOf(results, "meanComputeMs"), 2));
          row.put("meanSyncMs", BenchJson.round(medianOf(results, "meanSyncMs"), 2));
          row.put("roundsPerEpoch", results.isEmpty() ? null
              : results.get(0).path("roundsPerEpoch").asInt());
        }
        rows.add(row);
      }
      List<Map<String, Object>> ratios = new ArrayList<>();
      for (Config c : configs) {
        if (!c.isSparktrain()) {
          continue;
        }
        Map<String, Object> ratio = new LinkedHashMap<>();
        ratio.put("config", c.name());
        ratio.put("averagingFrequency", c.h());
        double b = median.get(c.name());
        ratio.put("bOverA", BenchJson.round(b / median.getOrDefault(c.sameLine("a"),
            Double.NaN), 3));
        ratio.put("bOverA1", BenchJson.round(b / median.getOrDefault(c.sameLine("a1"),
            Double.NaN), 3));
        ratio.put("bOverC", BenchJson.round(b / median.getOrDefault("c" + c.h(), Double.NaN),
            3));
        ratio.put("ofLimit", BenchJson.round(b / median.getOrDefault(c.sameLine("p"),
            Double.NaN), 3));
        ratios.add(ratio);
      }
      return new Summary(rows, ratios, compareLines(configs, median, ratios));
    }

    /** Each configuration across the lines, the first line named in --lines as the base. */
    private static List<Map<String, Object>> compareLines(List<Config> configs,
        Map<String, Double> median, List<Map<String, Object>> ratios) {
      Map<String, Object> ofLimit = new LinkedHashMap<>();
      ratios.forEach(r -> ofLimit.put((String) r.get("config"), r.get("ofLimit")));
      Map<String, List<Config>> byBase = new LinkedHashMap<>();
      for (Config c : configs) {
        if (!c.line().isEmpty()) {
          byBase.computeIfAbsent(c.baseName(), k -> new ArrayList<>()).add(c);
        }
      }
      List<Map<String, Object>> out = new ArrayList<>();
      byBase.forEach((base, perLine) -> {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("config", base);
        double first = median.get(perLine.get(0).name());
        for (Config c : perLine) {
          Map<String, Object> cell = new LinkedHashMap<>();
          double eps = median.get(c.name());
          cell.put("medianExamplesPerSec", BenchJson.round(eps, 1));
          cell.put("overFirstLine", BenchJson.round(eps / first, 3));
          cell.put("ofLimit", ofLimit.get(c.name()));
          row.put(c.line(), cell);
        }
        out.add(row);
      });
      return out;
    }

    private static double medianOf(List<JsonNode> results, String field) {
      double[] v = results.stream().map(r -> r.path(field))
          .filter(JsonNode::isNumber).mapToDouble(JsonNode::asDouble).toArray();
      return v.length == 0 ? Double.NaN : BenchJson.median(v);
    }

    String markdown(Map<String, Object> workload, int reps, int cores, double loadAtStart,
        MachinePeak peak) {
      Map<String, Map<String, Object>> byConfig = new LinkedHashMap<>();
      ratios.forEach(r -> byConfig.put((String) r.get("config"), r));
      StringBuilder sb = new StringBuilder();
      sb.append("## Spine benchmark\n\n");
      sb.append("Workload: ").append(workload.get("data")).append("; ")
          .append(workload.get("model")).append("; ").append(workload.get("optimizer"))
          .append("; batch 32 per worker; local[2], 2 workers; ")
          .append(workload.get("warmupEpochs")).append(" warm-up + ")
          .append(workload.get("timedEpochs")).append(" timed epochs; ").append(cores)
          .append(" cores. ")
          .append(reps == 1
              ? "1 repetition: ex/s is the median of the per-epoch rates within the run."
              : reps + " repetitions (interleaved): ex/s is the median over runs.")
          .append(String.format(Locale.ROOT, " Load average before the first run: %.2f.",
              loadAtStart))
          .append(String.format(Locale.ROOT, " Peak measured here (sgemm %dx%d): %.1f GFLOP/s "
              + "on all cores, %.1f on one; the MLP trains at %,d FLOPs per example.",
              PeakGemm.SIZE, PeakGemm.SIZE, peak.peakGflops(), peak.perCoreGflops(),
              P1_TRAINING_FLOPS))
          .append("\n\n");
      sb.append("| config | system | H | ex/s (median) | GFLOP/s | of peak | test acc | b/a "
          + "| b/a1 | b/c | of limit | compute ms/round | sync ms/round |\n");
      sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Map<String, Object> row : rows) {
        Object h = row.get("averagingFrequency");
        Map<String, Object> ratio = byConfig.get((String) row.get("config"));
        boolean isB = ratio != null;
        sb.append("| ").append(row.get("config"))
            .append(" | ").append(row.get("system"))
            .append(" | ").append(h == null ? "" : h)
            .append(" | ").append(fmt(row.get("medianExamplesPerSec"), "%,.0f"))
            .append(" | ").append(fmt(row.get("medianGflopsPerSec"), "%.2f"))
            .append(" | ").append(row.get("medianGflopsPerSec") instanceof Number g
                ? fmt(g.doubleValue() / peak.peakGflops(), "%.3f") : "n/a")
            .append(" | ").append(fmt(row.get("testAccuracy"), "%.4f"))
            .append(" | ").append(isB && ratio != null ? fmt(ratio.get("bOverA"), "%.2fx") : "")
            .append(" | ").append(isB && ratio != null ? fmt(ratio.get("bOverA1"), "%.2fx") : "")
            .append(" | ").append(isB && ratio != null ? fmt(ratio.get("bOverC"), "%.2fx") : "")
            .append(" | ").append(isB && ratio != null ? fmt(ratio.get("ofLimit"), "%.2f") : "")
            .append(" | ").append(isB ? fmt(row.get("meanComputeMs"), "%.1f") : "")
            .append(" | ").append(isB ? fmt(row.get("meanSyncMs"), "%.1f") : "")
            .append(" |\n");
      }
      appendLineComparison(sb);
      long failed = rows.stream().mapToLong(r -> ((Number) r.get("failedRuns")).longValue())
          .sum();
      if (failed > 0) {
        sb.append("\n").append(failed).append(" run(s) failed; see \"runs\" in the JSON.\n");
      }
      sb.append("\nb and d: sparktrain with the driver averaging (train.sync: driver) and with "
          + "the workers averaging among themselves (collective; t: the same over loopback TCP, "
          + "without the in-JVM hand-off); their ratio columns are each row's own. p: the "
          + "physical limit, two single-thread single-JVM runs at once with no synchronization; "
          + "of limit = sparktrain / p. ");
      sb.append("b/a = sparktrain / single-JVM DL4J fit with ND4J's default threads; b/a1 = "
          + "sparktrain / the same with OMP_NUM_THREADS=1 (faster here); b/c = sparktrain / dl4j-spark "
          + "ParameterAveragingTrainingMaster at the same H. compute = slowest worker's task "
          + "time per round, sync = the rest of the round (scheduling, broadcast, "
          + "results, averaging); means over the timed epochs.\n");
      return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private void appendLineComparison(StringBuilder sb) {
      if (lineComparison.isEmpty()) {
        return;
      }
      List<String> lines = lineComparison.get(0).keySet().stream()
          .filter(k -> !k.equals("config")).toList();
      sb.append("\n| config |");
      lines.forEach(l -> sb.append(" ").append(l).append(" ex/s | ").append(l)
          .append(" of its limit | ").append(l).append(" / ").append(lines.get(0)).append(" |"));
      sb.append("\n|---|").append("---:|---:|---:|".repeat(lines.size())).append("\n");
      for (Map<String, Object> row : lineComparison) {
        sb.append("| ").append(row.get("config")).append(" |");
        for (String l : lines) {
          Map<String, Object> cell = (Map<String, Object>) row.get(l);
          sb.append(" ").append(cell == null ? "n/a" : fmt(cell.get("medianExamplesPerSec"),
              "%,.0f")).append(" | ").append(cell == null ? "n/a" : fmt(cell.get("ofLimit"),
              "%.2f")).append(" | ").append(cell == null ? "n/a"
              : fmt(cell.get("overFirstLine"), "%.3f")).append(" |");
        }
        sb.append("\n");
      }
    }

    private static String fmt(Object v, String format) {
      return v instanceof Number n ? String.format(Locale.ROOT, format, n.doubleValue()) : "n/a";
    }
  }
}
